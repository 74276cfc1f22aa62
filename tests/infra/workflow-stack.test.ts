import { readFileSync } from 'node:fs';
import path from 'node:path';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { functionDefinitions, stateMachineDefinitions } from '../../functions/registry';
import type { AppFunction } from '../../infra/constructs/app-function';
import { aslPlaceholders, readAsl, substituteAsl } from '../../infra/definitions/asl';
import {
  asArray,
  type CfnJson,
  logicalIdOf,
  resourcesOfType,
  roleStatements,
  synthesizeApp,
} from './support';

const built = synthesizeApp();
const template = built.templates.workflow;
const resources = template.toJSON().Resources as Record<string, CfnJson>;
const taskDefinitions = functionDefinitions.filter((def) => def.aslPlaceholder !== undefined);

function taskFunctionFor(placeholder: string): AppFunction {
  const def = taskDefinitions.find((d) => d.aslPlaceholder === placeholder);
  const fn = def ? built.workflow.functions[def.id] : undefined;
  if (!fn) throw new Error(`no task function declares \${${placeholder}}`);
  return fn;
}

const fakeArns = (placeholders: string[]): Record<string, string> =>
  Object.fromEntries(
    placeholders.map((p) => [p, `arn:aws:lambda:cn-north-1:123456789012:function:onewindow-test-${p}`]),
  );

const machineFor = (id: string) => {
  const machine = built.workflow.stateMachines[id];
  if (!machine) throw new Error(`no state machine ${id}`);
  return { construct: machine, resource: resources[logicalIdOf(machine)] as CfnJson };
};

describe('task functions', () => {
  it('the workflow stack holds exactly the registry functions with an ASL placeholder', () => {
    expect(taskDefinitions.length).toBeGreaterThan(0);
    expect(Object.keys(built.workflow.functions).sort()).toEqual(taskDefinitions.map((d) => d.id).sort());
    template.resourceCountIs('AWS::Lambda::Function', taskDefinitions.length);
  });
});

describe.each(stateMachineDefinitions)('state machine $id', (machineDef) => {
  const { construct, resource } = machineFor(machineDef.id);
  const aslText = readAsl(machineDef.aslFile);
  const placeholders = aslPlaceholders(aslText);

  it('is a Standard state machine named per stage', () => {
    expect(resource.Type).toBe('AWS::StepFunctions::StateMachine');
    expect(resource.Properties.StateMachineType).toBe('STANDARD');
    expect(resource.Properties.StateMachineName).toBe(built.names.stateMachine(machineDef.id));
  });

  it('logs every event without execution data to an encrypted log group, and traces with X-Ray', () => {
    const logging = resource.Properties.LoggingConfiguration;
    expect(logging.Level).toBe('ALL');
    expect(logging.IncludeExecutionData).toBe(false);
    const logGroupId = logging.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
    expect(resources[logGroupId].Type).toBe('AWS::Logs::LogGroup');
    expect(resources[logGroupId].Properties.KmsKeyId).toBeDefined();
    expect(resources[logGroupId].Properties.RetentionInDays).toBeGreaterThan(0);
    expect(resource.Properties.TracingConfiguration).toEqual({ Enabled: true });
  });

  it('is built from the ASL file itself', () => {
    const key = resource.Properties.DefinitionS3Location.Key as string;
    const staged = readFileSync(path.join(built.app.outdir, `asset.${key}`), 'utf8');
    expect(staged).toBe(aslText);
  });

  it('substitutes exactly the placeholders of the ASL file, each with its task function ARN', () => {
    expect(placeholders.length).toBeGreaterThan(0);
    const substitutions = resource.Properties.DefinitionSubstitutions as Record<string, CfnJson>;
    expect(Object.keys(substitutions).sort()).toEqual(placeholders);
    for (const placeholder of placeholders) {
      const lambdaId = logicalIdOf(taskFunctionFor(placeholder).function);
      expect(resources[lambdaId].Type).toBe('AWS::Lambda::Function');
      expect(substitutions[placeholder]).toEqual({ 'Fn::GetAtt': [lambdaId, 'Arn'] });
    }
  });

  it('has a valid ASL definition once the placeholders are filled in', () => {
    const definition = substituteAsl(aslText, fakeArns(placeholders));
    expect(JSON.stringify(definition)).not.toContain('${');
    const result = aslValidator(definition);
    expect(result.errorsText(), 'asl-validator errors').toBe('');
    expect(result.isValid).toBe(true);
  });

  it('may invoke exactly its task functions (unqualified ARNs, nothing else)', () => {
    const statements = roleStatements(template, logicalIdOf(construct.role));
    const invoke = statements.filter((s) => asArray<string>(s.Action).some((a) => a.startsWith('lambda:')));
    expect(invoke).toHaveLength(1);
    expect(asArray(invoke[0].Action)).toEqual(['lambda:InvokeFunction']);
    const expected = [...new Set(placeholders.map((p) => logicalIdOf(taskFunctionFor(p).function)))].map(
      (id) => ({
        'Fn::GetAtt': [id, 'Arn'],
      }),
    );
    expect(asArray(invoke[0].Resource)).toEqual(expected);
  });
});

describe('asl-validator itself', () => {
  it('rejects a definition with a dangling transition (so the check above can fail)', () => {
    const aslText = readAsl(stateMachineDefinitions[0]?.aslFile as string);
    const broken = substituteAsl(aslText, fakeArns(aslPlaceholders(aslText))) as {
      States: Record<string, { Next?: string }>;
    };
    const first = Object.values(broken.States).find((state) => state.Next !== undefined);
    if (!first) throw new Error('the ASL has no state with Next');
    first.Next = 'NoSuchState';
    expect(aslValidator(broken).isValid).toBe(false);
  });
});

describe('state machine resources', () => {
  it('one per registry definition', () => {
    expect(Object.keys(resourcesOfType(template, 'AWS::StepFunctions::StateMachine'))).toHaveLength(
      stateMachineDefinitions.length,
    );
  });
});
