import { describe, expect, it } from 'vitest';
import type { MatterHead, MatterVersion } from '../../functions/catalogue/catalogue-store';
import { keepingPublishedVersions } from '../../functions/catalogue/published-versions';

/** The intake function keeps published service-guide versions (they never change) and never a draft. */
const version = (code: string, n: number, status: MatterVersion['status']): MatterVersion =>
  ({
    code,
    version: n,
    status,
    guide: {},
    revision: 1,
    createdAt: '',
    createdBy: '',
  }) as unknown as MatterVersion;

function countingStore(versions: MatterVersion[]) {
  const reads = { head: 0, version: 0 };
  return {
    reads,
    async getHead(code: string) {
      reads.head++;
      return { code } as MatterHead;
    },
    async getVersion(code: string, n: number) {
      reads.version++;
      return versions.find((v) => v.code === code && v.version === n);
    },
  };
}

describe('keepingPublishedVersions', () => {
  it('reads a published version once and the head every time', async () => {
    const store = countingStore([version('JY-0001', 1, 'published')]);
    const kept = keepingPublishedVersions(store);
    for (let i = 0; i < 3; i++) {
      await kept.getHead('JY-0001');
      expect((await kept.getVersion('JY-0001', 1))?.version).toBe(1);
    }
    expect(store.reads).toEqual({ head: 3, version: 1 });
  });

  it('reads a draft and an unknown version every time', async () => {
    const store = countingStore([version('JY-0001', 2, 'draft')]);
    const kept = keepingPublishedVersions(store);
    await kept.getVersion('JY-0001', 2);
    await kept.getVersion('JY-0001', 2);
    expect(await kept.getVersion('JY-0001', 9)).toBeUndefined();
    expect(await kept.getVersion('JY-0001', 9)).toBeUndefined();
    expect(store.reads.version).toBe(4);
  });

  it('forgets the oldest version beyond its bound', async () => {
    const store = countingStore([1, 2, 3].map((n) => version('JY-0001', n, 'published')));
    const kept = keepingPublishedVersions(store, 2);
    for (const n of [1, 2, 3]) await kept.getVersion('JY-0001', n);
    expect(store.reads.version).toBe(3);
    await kept.getVersion('JY-0001', 3);
    await kept.getVersion('JY-0001', 2);
    expect(store.reads.version).toBe(3);
    await kept.getVersion('JY-0001', 1);
    expect(store.reads.version).toBe(4);
  });
});
