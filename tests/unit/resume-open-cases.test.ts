import { describe, expect, it } from 'vitest';
import type { ExecutionStarter } from '../../functions/workflow/execution-starter';
import { resumeOpenCases } from '../../functions/workflow/resume-open-cases';

const storeOf = (ids: string[]) => ({
  async *listOpenCaseIds() {
    yield* ids;
  },
});

describe('resumeOpenCases', () => {
  it('starts every open case and reports those it could not resume, without stopping at the first', async () => {
    const started: string[] = [];
    const starter: ExecutionStarter = {
      async start(caseId) {
        started.push(caseId);
        if (caseId === 'C-ended') return 'name-taken';
        if (caseId === 'C-throttled')
          throw Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
        return 'running';
      },
    };
    const summary = await resumeOpenCases(storeOf(['C-1', 'C-ended', 'C-throttled', 'C-2']), starter);
    expect(started).toEqual(['C-1', 'C-ended', 'C-throttled', 'C-2']);
    expect(summary).toEqual({
      running: 2,
      nameTaken: ['C-ended'],
      failed: [{ caseId: 'C-throttled', reason: 'ThrottlingException' }],
    });
  });

  it('does nothing when no case is open', async () => {
    const summary = await resumeOpenCases(storeOf([]), {
      start: async () => {
        throw new Error('must not be called');
      },
    });
    expect(summary).toEqual({ running: 0, nameTaken: [], failed: [] });
  });
});
