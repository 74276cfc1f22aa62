import { describe, expect, it } from 'vitest';
import {
  aslBuiltInPlaceholders,
  aslFunctionPlaceholders,
  aslPlaceholders,
  readAsl,
  substituteAsl,
} from '../../infra/definitions/asl';

describe('ASL substitution', () => {
  const text = JSON.stringify({
    StartAt: 'A',
    States: {
      A: { Type: 'Task', Resource: '${FnArn}', Parameters: { t: '${Table}', again: '${FnArn}' }, End: true },
    },
  });

  it('lists each placeholder once', () => {
    expect(aslPlaceholders(text)).toEqual(['FnArn', 'Table']);
  });

  it('fills every placeholder', () => {
    const definition = substituteAsl(text, { FnArn: 'arn:aws:lambda:x', Table: 't1' });
    expect(JSON.stringify(definition)).not.toContain('${');
    expect(definition).toMatchObject({
      States: { A: { Resource: 'arn:aws:lambda:x', Parameters: { t: 't1' } } },
    });
  });

  it('refuses to leave a placeholder unfilled', () => {
    expect(() => substituteAsl(text, { FnArn: 'arn:aws:lambda:x' })).toThrow(/Table/);
  });

  describe('the partition of the optimized integrations', () => {
    const partitioned = JSON.stringify({
      StartAt: 'A',
      States: {
        A: {
          Type: 'Task',
          Resource: 'arn:${Partition}:states:::lambda:invoke',
          Parameters: { FunctionName: '${FnArn}' },
          End: true,
        },
      },
    });

    it('is a built-in placeholder: no function fills it', () => {
      expect(aslPlaceholders(partitioned)).toEqual(['FnArn', 'Partition']);
      expect(aslFunctionPlaceholders(partitioned)).toEqual(['FnArn']);
      expect(aslBuiltInPlaceholders).toEqual({ Partition: 'aws' });
    });

    it('defaults to aws (the local runner), and takes the value given (the stack passes AWS::Partition)', () => {
      expect(substituteAsl(partitioned, { FnArn: 'f' })).toMatchObject({
        States: { A: { Resource: 'arn:aws:states:::lambda:invoke' } },
      });
      expect(substituteAsl(partitioned, { FnArn: 'f', Partition: 'aws-cn' })).toMatchObject({
        States: { A: { Resource: 'arn:aws-cn:states:::lambda:invoke' } },
      });
    });

    it('is how the deployed ASL names every optimized integration (no partition written out)', () => {
      const text = readAsl('statemachines/case-lifecycle.asl.json');
      expect(text).not.toMatch(/"arn:aws[a-z-]*:/);
      const resources = [...text.matchAll(/"Resource":\s*"([^"]+)"/g)].map((m) => m[1]);
      expect(resources.length).toBeGreaterThan(0);
      for (const resource of resources) expect(resource).toMatch(/^arn:\$\{Partition\}:states:::/);
      const china = JSON.stringify(
        substituteAsl(text, { CaseWorkflowFunctionArn: 'f', Partition: 'aws-cn' }),
      );
      expect(china).toContain('"arn:aws-cn:states:::states:startExecution"');
      expect(china).not.toContain('arn:aws:');
    });
  });
});
