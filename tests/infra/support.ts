import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { type BuildAppOptions, buildApp, type OneWindowApp } from '../../infra/app';

/**
 * Builds and synthesizes the whole app (cdk-nag included) with esbuild bundling skipped, in a fresh
 * temporary cloud assembly directory.
 */
export interface SynthesizedApp extends OneWindowApp {
  templates: { stateful: Template; workflow: Template; api: Template; monitoring: Template };
}

export function synthesizeApp(options: BuildAppOptions = {}): SynthesizedApp {
  const built = buildApp({
    bundle: false,
    outdir: mkdtempSync(path.join(os.tmpdir(), 'onewindow-cdk-')),
    ...options,
  });
  built.app.synth();
  return {
    ...built,
    templates: {
      stateful: Template.fromStack(built.stateful),
      workflow: Template.fromStack(built.workflow),
      api: Template.fromStack(built.api),
      monitoring: Template.fromStack(built.monitoring),
    },
  };
}

/** The logical id CloudFormation gets for a construct's resource (its default child, or itself). */
export function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(element).resolve(element.logicalId) as string;
}

/** A value as it appears in the template of `scope`'s stack (tokens resolved to intrinsics). */
export function resolved(scope: IConstruct, value: unknown): unknown {
  return Stack.of(scope).resolve(value);
}

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON
export type CfnJson = any;

export function resourcesOfType(template: Template, type: string): Record<string, CfnJson> {
  return template.findResources(type);
}

/** The statements of the policies attached to a role (by the role's logical id). */
export function roleStatements(template: Template, roleLogicalId: string): CfnJson[] {
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as CfnJson[]).some((role) => role.Ref === roleLogicalId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as CfnJson[]);
}

export const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every action a set of statements allows on a resource (compared as resolved CloudFormation JSON). */
export function actionsOn(statements: CfnJson[], resource: unknown): string[] {
  const key = JSON.stringify(resource);
  return statements
    .filter((s) => s.Effect === 'Allow' && asArray(s.Resource).some((r) => JSON.stringify(r) === key))
    .flatMap((s) => asArray<string>(s.Action))
    .sort();
}

/** A value the build must have produced (e.g. the Cognito user pool of a stage without an external issuer). */
export function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the build has no ${what}`);
  return value;
}
