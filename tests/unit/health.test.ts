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
    expect(report.dependencies.a?.status).toBe('ok');
  });

  it('is degraded and says which dependency is unavailable, but not why (that goes to the log)', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.3.7:8000'), {
      code: 'ECONNREFUSED',
      address: '10.0.3.7',
      port: 8000,
    });
    const logged: [string, unknown][] = [];
    const report = await checkHealth(
      [
        { name: 'table', check: async () => undefined },
        {
          name: 'bucket',
          check: async () => {
            throw refused;
          },
        },
      ],
      { onFailure: (name, error) => logged.push([name, error]) },
    );
    expect(report.status).toBe('degraded');
    expect(report.dependencies.table?.status).toBe('ok');
    expect(report.dependencies.bucket).toEqual({ status: 'unavailable', latencyMs: expect.any(Number) });
    expect(JSON.stringify(report)).not.toMatch(/ECONNREFUSED|10\.0\.3\.7|8000/);
    expect(logged).toEqual([['bucket', refused]]);
  });

  it('marks a dependency that does not answer in time as unavailable instead of hanging', async () => {
    const logged: unknown[] = [];
    const report = await checkHealth([{ name: 'slow', check: () => new Promise(() => undefined) }], {
      timeoutMs: 50,
      onFailure: (_name, error) => logged.push(error),
    });
    expect(report.dependencies.slow).toMatchObject({ status: 'unavailable' });
    expect(String(logged[0])).toMatch(/50 ms/);
  });
});
