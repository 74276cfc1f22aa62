import path from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import {
  type FunctionDefinition,
  functionDefinitions,
  stateMachineDefinitions,
} from '../../functions/registry';
import { AppFunction } from '../constructs/app-function';
import { acknowledgeNag } from '../constructs/nag';
import { pascalCase, type ResourceNames } from '../constructs/resource-names';
import { aslPlaceholders, readAsl, repoRoot } from '../definitions/asl';

export interface WorkflowStackProps extends StackProps {
  names: ResourceNames;
  dataKey: IKey;
  logLevel: string;
}

/** The registry's task functions: those whose ARN an ASL placeholder takes. */
export const taskFunctionDefinitions = (): FunctionDefinition[] =>
  functionDefinitions.filter((def) => def.aslPlaceholder !== undefined);

/**
 * The case workflow: the task functions and the Standard state machines built from the ASL files in
 * statemachines/, each placeholder substituted with its function's ARN. The API stack depends on this
 * one (its functions start, describe and call back executions).
 */
export class WorkflowStack extends Stack {
  readonly functions: Record<string, AppFunction> = {};
  readonly stateMachines: Record<string, StateMachine> = {};

  constructor(scope: Construct, id: string, props: WorkflowStackProps) {
    super(scope, id, props);
    const { names } = props;

    const byPlaceholder = new Map<string, AppFunction>();
    for (const def of taskFunctionDefinitions()) {
      if (def.routes.length > 0 || def.defaultRoute) {
        throw new Error(`function ${def.id} has both an ASL placeholder and HTTP routes: split it in two`);
      }
      const placeholder = def.aslPlaceholder as string;
      if (byPlaceholder.has(placeholder)) throw new Error(`ASL placeholder ${placeholder} is declared twice`);
      const fn = new AppFunction(this, `${pascalCase(def.id)}Function`, {
        definition: def,
        names,
        dataKey: props.dataKey,
        logLevel: props.logLevel,
        defaultTimeout: Duration.seconds(30),
      });
      this.functions[def.id] = fn;
      byPlaceholder.set(placeholder, fn);
    }

    const usedPlaceholders = new Set<string>();
    for (const machineDef of stateMachineDefinitions) {
      const placeholders = aslPlaceholders(readAsl(machineDef.aslFile));
      const tasks = placeholders.map((placeholder) => {
        const fn = byPlaceholder.get(placeholder);
        if (!fn) {
          throw new Error(
            `${machineDef.aslFile} uses \${${placeholder}} but no registry function declares it`,
          );
        }
        usedPlaceholders.add(placeholder);
        return [placeholder, fn] as const;
      });

      const logGroup = new LogGroup(this, `${pascalCase(machineDef.id)}Logs`, {
        logGroupName: `/aws/vendedlogs/states/${names.stateMachine(machineDef.id)}`,
        retention: RetentionDays.ONE_YEAR,
        encryptionKey: props.dataKey,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const machine = new StateMachine(this, `${pascalCase(machineDef.id)}StateMachine`, {
        stateMachineName: names.stateMachine(machineDef.id),
        stateMachineType: StateMachineType.STANDARD,
        definitionBody: DefinitionBody.fromFile(path.join(repoRoot, machineDef.aslFile)),
        definitionSubstitutions: Object.fromEntries(
          tasks.map(([placeholder, fn]) => [placeholder, fn.function.functionArn]),
        ),
        tracingEnabled: true,
        // Executions carry personal data (applicants, ID numbers): log every event, never its data.
        logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
      });
      // Exactly the functions' unqualified ARNs, which the ASL invokes (no `:*` for versions or aliases).
      machine.addToRolePolicy(
        new PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [...new Set(tasks.map(([, fn]) => fn.function.functionArn))],
        }),
      );
      acknowledgeNag(
        machine.role,
        'IAM5[Resource::*]',
        'Added by CDK for logging and tracing, whose APIs have no resource type: logs:CreateLogDelivery and the other ' +
          'vended-log delivery actions, and xray:PutTraceSegments/PutTelemetryRecords/GetSamplingRules/GetSamplingTargets.',
      );
      this.stateMachines[machineDef.id] = machine;
      new CfnOutput(this, `${pascalCase(machineDef.id)}StateMachineArn`, { value: machine.stateMachineArn });
    }

    for (const [placeholder, fn] of byPlaceholder) {
      if (!usedPlaceholders.has(placeholder)) {
        throw new Error(`function ${fn.definition.id} declares \${${placeholder}} but no ASL file uses it`);
      }
    }
  }
}
