import type { CatalogueStore, MatterHead, MatterVersion } from './catalogue-store';

/**
 * Keeps the published service-guide versions a function has read. A version item is written as a draft
 * and last written when it is published (publishing is conditional on it still being a draft), so a
 * published version never changes and may be kept for the life of the container; a draft is never kept.
 * The head (which version is in effect, the window assignment) is kept briefly by `keepingHeadsFor`. Intake pins
 * the matter version on every new case: at the enrolment peak this saves a read of the whole guide per
 * application.
 */
type VersionReader = Pick<CatalogueStore, 'getHead' | 'getVersion'>;

export function keepingPublishedVersions<T extends VersionReader>(store: T, maxVersions = 500): T {
  const kept = new Map<string, MatterVersion>();
  return {
    ...store,
    async getVersion(code: string, version: number) {
      const key = `${code}#${version}`;
      const hit = kept.get(key);
      if (hit) return hit;
      const read = await store.getVersion(code, version);
      if (read?.status === 'published') {
        // Bounded: the catalogue has a few hundred matters at most; forget the oldest beyond that.
        if (kept.size >= maxVersions) kept.delete(kept.keys().next().value as string);
        kept.set(key, read);
      }
      return read;
    },
  };
}

/**
 * Keeps matter heads (which version is in effect, the window assignment) for `ttlMs` of real time. Intake
 * reads the head of the matter it pins on every new case; at the enrolment peak one matter takes every
 * application, and this read was a fifth of intake's work on DynamoDB Local (`npm run bench`, intake).
 * A publication or a new assignment reaches intake within the TTL (`MATTER_HEAD_CACHE_SECONDS`); the
 * version in effect is still chosen by today's date on every read. A missing head is not kept.
 */
export function keepingHeadsFor<T extends Pick<CatalogueStore, 'getHead'>>(
  store: T,
  ttlMs: number,
  now: () => number = Date.now,
  maxHeads = 500,
): T {
  if (ttlMs <= 0) return store;
  const kept = new Map<string, { head: MatterHead; until: number }>();
  return {
    ...store,
    async getHead(code: string) {
      const hit = kept.get(code);
      if (hit && hit.until > now()) return hit.head;
      const head = await store.getHead(code);
      kept.delete(code);
      if (head) {
        if (kept.size >= maxHeads) kept.delete(kept.keys().next().value as string);
        kept.set(code, { head, until: now() + ttlMs });
      }
      return head;
    },
  };
}
