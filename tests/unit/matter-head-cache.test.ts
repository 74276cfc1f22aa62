import { describe, expect, it } from 'vitest';
import type { MatterHead } from '../../functions/catalogue/catalogue-store';
import { keepingHeadsFor } from '../../functions/catalogue/published-versions';

const head = (revision: number) =>
  ({ code: 'JY-0001', departmentId: 'education', revision }) as unknown as MatterHead;

describe('matter heads kept for a short time', () => {
  it('answers from memory within the TTL, reads again after it, and never keeps a missing head', async () => {
    let t = 0;
    let revision = 1;
    const reads: string[] = [];
    const store = {
      async getHead(code: string) {
        reads.push(code);
        return code === 'JY-0001' ? head(revision) : undefined;
      },
    };
    const kept = keepingHeadsFor(store, 10_000, () => t);
    expect((await kept.getHead('JY-0001'))?.revision).toBe(1);
    revision = 2;
    t = 9_999;
    expect((await kept.getHead('JY-0001'))?.revision).toBe(1);
    t = 10_000;
    expect((await kept.getHead('JY-0001'))?.revision).toBe(2);
    expect(await kept.getHead('XX-0000')).toBeUndefined();
    expect(await kept.getHead('XX-0000')).toBeUndefined();
    expect(reads).toEqual(['JY-0001', 'JY-0001', 'XX-0000', 'XX-0000']);
  });

  it('keeps nothing with a TTL of 0', async () => {
    let reads = 0;
    const store = {
      async getHead(_code: string) {
        reads++;
        return head(1);
      },
    };
    const kept = keepingHeadsFor(store, 0);
    await kept.getHead('JY-0001');
    await kept.getHead('JY-0001');
    expect(reads).toBe(2);
  });
});
