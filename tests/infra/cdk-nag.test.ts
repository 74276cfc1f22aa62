import { Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app';
import { synthesizeApp } from './support';

/**
 * cdk-nag 3 runs as a CDK policy-validation plugin: `app.synth()` throws when any finding is left
 * unacknowledged (under vitest the app runs "in memory", so the report is in the error). The pack's
 * `validateScope` gives the same findings as data.
 */
interface Acknowledgment {
  path: string;
  id: string;
  reason: string;
}

function acknowledgments(root: IConstruct): Acknowledgment[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/** Every finding of the pack, acknowledged or not (cdk-nag 3.0.2 checks acknowledgments in one method). */
function rawFindings(root: IConstruct) {
  const pack = new AwsSolutionsChecks();
  (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  return pack.validateScope(root).violations;
}

const built = synthesizeApp();

describe('cdk-nag AwsSolutions', () => {
  it('synthesizes with the pack registered and no unacknowledged finding (errors or warnings)', () => {
    const report = new AwsSolutionsChecks().validateScope(built.app);
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('fails synthesis when a finding is not acknowledged', () => {
    const app = buildApp({ bundle: false });
    new Bucket(app.stateful, 'UnloggedPlainBucket');
    expect(() => app.app.synth()).toThrow(
      /AwsSolutions-S1[\s\S]*UnloggedPlainBucket|UnloggedPlainBucket[\s\S]*AwsSolutions-S1/,
    );
  });

  const acks = acknowledgments(built.app);

  it('has acknowledgments, each with a specific reason', () => {
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id, ack.path).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(ack.reason.trim().length, `${ack.path} ${ack.id}`).toBeGreaterThanOrEqual(40);
    }
  });

  it('acknowledges only the reviewed kinds of finding', () => {
    // A new kind of suppression is a design decision: add it here only with its justification in the code.
    // SQS3: the stream consumers' on-failure queues are DLQs themselves (infra/constructs/dead-letter-queue.ts).
    const reviewed = ['IAM5', 'L1', 'APIG4', 'COG2', 'SQS3'];
    const kinds = new Set(acks.map((ack) => /^AwsSolutions-([A-Z]+\d+)/.exec(ack.id)?.[1]));
    for (const kind of kinds) expect(reviewed).toContain(kind);
  });

  it('acknowledges nothing that is not actually found (no stale suppressions)', () => {
    const raw = rawFindings(built.app);
    const stale = acks.filter(
      (ack) =>
        !raw.some(
          (finding) =>
            finding.ruleName === ack.id &&
            finding.violatingResources.some(
              (r) => r.constructPath === ack.path || r.constructPath?.startsWith(`${ack.path}/`),
            ),
        ),
    );
    expect(stale).toEqual([]);
  });

  it('names the public routes in their APIG4 acknowledgments', () => {
    const apig4 = acks.filter((ack) => ack.id === 'AwsSolutions-APIG4');
    expect(apig4.length).toBeGreaterThan(0);
    for (const ack of apig4) expect(ack.reason).toMatch(/^(GET|POST|PUT|PATCH|DELETE) \/|^\$default/);
  });
});
