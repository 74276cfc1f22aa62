import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app';
import { repoRoot } from '../../infra/definitions/asl';
import type { CfnJson } from './support';

const savedEnv = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
beforeEach(() => {
  delete process.env.CDK_DEFAULT_ACCOUNT;
  delete process.env.CDK_DEFAULT_REGION;
});
afterEach(() => {
  if (savedEnv.account !== undefined) process.env.CDK_DEFAULT_ACCOUNT = savedEnv.account;
  if (savedEnv.region !== undefined) process.env.CDK_DEFAULT_REGION = savedEnv.region;
});

describe('buildApp', () => {
  it('defaults to stage dev: four stacks named by stage and concern', () => {
    const { app, stage } = buildApp({ bundle: false });
    expect(stage).toBe('dev');
    const stackNames = app.node.children.map((child) => child.node.id).sort();
    expect(stackNames).toEqual([
      'OneWindow-dev-Api',
      'OneWindow-dev-Monitoring',
      'OneWindow-dev-Stateful',
      'OneWindow-dev-Workflow',
    ]);
  });

  it('deploys the monitoring stack last: it depends on the three others', () => {
    const { monitoring, stateful, workflow, api } = buildApp({ bundle: false });
    expect(monitoring.dependencies).toEqual(expect.arrayContaining([stateful, workflow, api]));
  });

  it('takes the stage from context, and names the resources after it', () => {
    const built = buildApp({
      bundle: false,
      context: { stage: 'qa', allowedOrigins: 'https://qa.example.gov.cn' },
    });
    expect(built.stage).toBe('qa');
    expect(built.stateful.stackName).toBe('OneWindow-qa-Stateful');
    expect(built.names.table('cases')).toBe('onewindow-qa-cases');
    expect(built.names.stateMachine('case-lifecycle')).toBe('onewindow-qa-case-lifecycle');
  });

  it('refuses a stage that cannot be part of a bucket name', () => {
    expect(() => buildApp({ bundle: false, stage: 'Prod_1' })).toThrow(/invalid stage/);
    expect(() => buildApp({ bundle: false, stage: 'a-very-long-stage-name' })).toThrow(/invalid stage/);
  });

  it('is environment-agnostic without CDK_DEFAULT_ACCOUNT/REGION (synth needs no credentials)', () => {
    const { stateful, api } = buildApp({ bundle: false });
    expect(stateful.environment).toBe('aws://unknown-account/unknown-region');
    expect(api.environment).toBe('aws://unknown-account/unknown-region');
  });

  it('uses CDK_DEFAULT_ACCOUNT/REGION when the CLI provides them', () => {
    process.env.CDK_DEFAULT_ACCOUNT = '123456789012';
    process.env.CDK_DEFAULT_REGION = 'cn-north-1';
    const identity = { oidcIssuer: 'https://ids.example.gov.cn/oidc', oidcAudience: 'onewindow' };
    const { workflow, target } = buildApp({ bundle: false, context: identity });
    expect(workflow.environment).toBe('aws://123456789012/cn-north-1');
    expect(target).toMatchObject({ region: 'cn-north-1', partition: 'aws-cn', china: true });
    // The CLI's China region needs the identity provider as much as `-c region` does.
    expect(() => buildApp({ bundle: false })).toThrow(/Cognito user pools are not available/);
  });

  it('takes the region from context, over the CLI region, per stage or for all', () => {
    process.env.CDK_DEFAULT_REGION = 'eu-west-1';
    const identity = { oidcIssuer: 'https://ids.example.gov.cn/oidc', oidcAudience: 'onewindow' };
    const flat = buildApp({ bundle: false, context: { ...identity, region: 'cn-northwest-1' } });
    expect(flat.api.environment).toBe('aws://unknown-account/cn-northwest-1');
    const perStage = buildApp({
      bundle: false,
      stage: 'qa',
      context: {
        allowedOrigins: 'https://qa.example.gov.cn',
        region: { qa: 'ap-east-1', prod: 'cn-north-1' },
      },
    });
    expect(perStage.monitoring.environment).toBe('aws://unknown-account/ap-east-1');
    expect(perStage.target).toMatchObject({ partition: 'aws', china: false, lambdaArchitecture: 'arm64' });
    expect(() => buildApp({ bundle: false, context: { region: 'Beijing' } })).toThrow(
      /not an AWS region name/,
    );
  });

  it('protects the prod stacks from termination, and only them', () => {
    const origins = { allowedOrigins: 'https://portal.example.gov.cn' };
    expect(buildApp({ bundle: false, stage: 'prod', context: origins }).stateful.terminationProtection).toBe(
      true,
    );
    expect(buildApp({ bundle: false, stage: 'dev' }).stateful.terminationProtection).toBe(false);
  });

  it('allows any browser origin in dev only: the API and the upload buckets answer *', () => {
    const { api, stateful } = buildApp({ bundle: false });
    expect(Template.fromStack(api).toJSON().Resources).toSatisfy((resources: Record<string, CfnJson>) =>
      Object.values(resources).some(
        (r) => r.Type === 'AWS::ApiGatewayV2::Api' && r.Properties.CorsConfiguration.AllowOrigins[0] === '*',
      ),
    );
    Template.fromStack(stateful).hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedOrigins: ['*'] })] },
    });
  });

  it('refuses to synthesise a stage other than dev without its allowed origins, or with *', () => {
    expect(() => buildApp({ bundle: false, stage: 'prod' })).toThrow(
      /stage prod needs the browser origins CORS allows[\s\S]*allowedOrigins/,
    );
    expect(() => buildApp({ bundle: false, stage: 'qa', context: { allowedOrigins: '*' } })).toThrow(
      /stage qa may not allow every origin/,
    );
    expect(() =>
      buildApp({ bundle: false, stage: 'qa', context: { allowedOrigins: { prod: ['https://a.example'] } } }),
    ).toThrow(/stage qa needs/);
  });

  it("takes a stage's origins from a per-stage setting for the API's CORS and the buckets' PUT", () => {
    const origins = ['https://portal.example.gov.cn', 'https://counter.example.gov.cn'];
    const { api, stateful } = buildApp({
      bundle: false,
      stage: 'prod',
      context: { allowedOrigins: { prod: origins, qa: ['https://qa.example.gov.cn'] } },
    });
    Template.fromStack(api).hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: origins }),
    });
    const buckets = Template.fromStack(stateful).findResources('AWS::S3::Bucket');
    const corsOrigins = Object.values(buckets)
      .map((b) => b.Properties.CorsConfiguration?.CorsRules?.[0]?.AllowedOrigins)
      .filter(Boolean);
    expect(corsOrigins.length).toBeGreaterThan(0);
    for (const allowed of corsOrigins) expect(allowed).toEqual(origins);
  });

  it('rejects a log level the functions do not know', () => {
    expect(() => buildApp({ bundle: false, context: { logLevel: 'TRACE' } })).toThrow(/logLevel/);
  });
});

describe('CLI entry (cdk.json runs `npx tsx infra/app.ts`)', () => {
  it('writes a cloud assembly with the four stacks when run directly', () => {
    const outdir = mkdtempSync(path.join(os.tmpdir(), 'onewindow-cli-'));
    const result = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), path.join(repoRoot, 'infra/app.ts')],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        env: {
          ...process.env,
          CDK_OUTDIR: outdir,
          CDK_CONTEXT_JSON: JSON.stringify({
            'aws:cdk:bundling-stacks': [],
            stage: 'cli',
            allowedOrigins: 'https://portal.example.gov.cn',
          }),
        },
      },
    );
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    const stacks = Object.entries(manifest.artifacts as Record<string, { type: string }>)
      .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
      .map(([id]) => id)
      .sort();
    expect(stacks).toEqual([
      'OneWindow-cli-Api',
      'OneWindow-cli-Monitoring',
      'OneWindow-cli-Stateful',
      'OneWindow-cli-Workflow',
    ]);
    expect(existsSync(path.join(outdir, 'OneWindow-cli-Api.template.json'))).toBe(true);
  }, 120_000);
});
