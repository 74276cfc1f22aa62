import { describe, expect, it } from 'vitest';
import { aslPlaceholders, substituteAsl } from '../../infra/definitions/asl';

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
});
