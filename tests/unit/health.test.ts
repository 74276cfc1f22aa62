import { describe, expect, it } from 'vitest';
import { checkHealth } from '../../functions/platform/health';

describe('checkHealth', () => {
  it('is ok when every dependency answers', async () => {
    const report = await checkHealth([
      { name: 'a', check: async () => undefined },
      { name: 'b', check: async () => undefined },
    ]);
    expect(report.status).toBe('ok');
    expect(Object.keys(report.dependencies)).toEqual(['a', 'b']);
    expect(report.dependencies.a?.status).toBe('up');
  });

  it('is degraded and says which dependency failed and why', async () => {
    const report = await checkHealth([
      { name: 'table', check: async () => undefined },
      {
        name: 'bucket',
        check: async () => {
          throw Object.assign(new Error('no such bucket'), { name: 'NoSuchBucket' });
        },
      },
    ]);
    expect(report.status).toBe('degraded');
    expect(report.dependencies.table?.status).toBe('up');
    expect(report.dependencies.bucket).toMatchObject({
      status: 'down',
      detail: 'NoSuchBucket: no such bucket',
    });
  });

  it('marks a dependency that does not answer in time as down instead of hanging', async () => {
    const report = await checkHealth([{ name: 'slow', check: () => new Promise(() => undefined) }], {
      timeoutMs: 50,
    });
    expect(report.dependencies.slow).toMatchObject({ status: 'down' });
    expect(report.dependencies.slow?.detail).toMatch(/50 ms/);
  });
});
