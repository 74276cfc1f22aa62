/**
 * Event patterns as data, in the syntax Lambda event filtering and EventBridge Pipes share, for the subset
 * this project uses: exact strings, `prefix` and `exists`. CDK renders them into the filter criteria of
 * the event source mappings and pipes, and the local stream stand-in decides with `matchesEventPattern`
 * which records it delivers, so AWS and the local stack filter by the same definition.
 */
export type PatternMatcher = string | { prefix: string } | { exists: boolean };

export interface EventPattern {
  [field: string]: PatternMatcher[] | EventPattern;
}

const isLeaf = (value: unknown): boolean =>
  value === null || ['string', 'number', 'boolean'].includes(typeof value);

function matchesLeaf(matchers: PatternMatcher[], value: unknown): boolean {
  // A list of leaves matches when any element does; objects never match a leaf rule (as in EventBridge,
  // `exists: true` is true for a primitive only).
  const leaves = Array.isArray(value) ? value.filter(isLeaf) : isLeaf(value) ? [value] : [];
  return matchers.some((matcher) => {
    if (typeof matcher === 'string') return leaves.includes(matcher);
    if ('prefix' in matcher) return leaves.some((v) => typeof v === 'string' && v.startsWith(matcher.prefix));
    return matcher.exists ? leaves.length > 0 : value === undefined;
  });
}

/**
 * Every field of the pattern must match (AND), any matcher of a field may (OR). A field missing from the
 * event matches only `exists: false`, also when its parent is missing (an INSERT record has no OldImage).
 */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  const fields = event !== null && typeof event === 'object' ? (event as Record<string, unknown>) : {};
  return Object.entries(pattern).every(([field, rule]) => {
    const value = Object.hasOwn(fields, field) ? fields[field] : undefined;
    if (Array.isArray(rule)) return matchesLeaf(rule, value);
    if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      return false;
    }
    return matchesEventPattern(rule, value);
  });
}
