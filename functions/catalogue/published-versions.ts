import type { CatalogueStore, MatterVersion } from './catalogue-store';

/**
 * Keeps the published service-guide versions a function has read. A version item is written as a draft
 * and last written when it is published (publishing is conditional on it still being a draft), so a
 * published version never changes and may be kept for the life of the container; a draft is never kept.
 * The head (which version is in effect, the window assignment) is still read every time. Intake pins
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
