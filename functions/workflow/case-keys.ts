import { createHash } from 'node:crypto';

/**
 * Keys of a case in the cases table. The case item is `CASE#<id>` / `CASE`; later items of the same
 * case (trail events, notices) share the partition. Cases whose workflow is still running carry the
 * sparse `open` index keys, spread over shards so that no single index partition becomes hot at peaks.
 */
export const openShardCount = 16;

export const caseKey = (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'CASE' });

export function openShardOf(caseId: string): number {
  return createHash('sha1').update(caseId).digest().readUInt16BE(0) % openShardCount;
}

export const openIndexKeys = (caseId: string) => ({ openPk: `OPEN#${openShardOf(caseId)}`, openSk: caseId });

export const openShardKeys = (): string[] => Array.from({ length: openShardCount }, (_, n) => `OPEN#${n}`);
