/**
 * ASL Reference Paths (`$`, `$.a.b`, `$['a b'][0]`): the only syntax AWS accepts in a Wait's
 * SecondsPath/TimestampPath. The runner reads them itself because it takes over Wait states.
 */
export type PathSegment = string | number;

const segmentPattern = /^(?:\.([A-Za-z_$][\w$-]*)|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\])/;

/** The segments of a reference path, or undefined when `path` is not one (filters, wildcards, `$$`). */
export function parseReferencePath(path: string): PathSegment[] | undefined {
  if (!path.startsWith('$') || path.startsWith('$$')) return undefined;
  const segments: PathSegment[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const match = segmentPattern.exec(rest);
    if (!match) return undefined;
    const [whole, dotted, singleQuoted, doubleQuoted, index] = match;
    if (index !== undefined) segments.push(Number(index));
    else segments.push((dotted ?? singleQuoted ?? doubleQuoted ?? '').replace(/\\(.)/g, '$1'));
    rest = rest.slice(whole.length);
  }
  return segments;
}

export type PathLookup = { found: true; value: unknown } | { found: false };

export function readReferencePath(root: unknown, segments: readonly PathSegment[]): PathLookup {
  let current: unknown = root;
  for (const segment of segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current) || segment >= current.length) return { found: false };
      current = current[segment];
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) return { found: false };
      if (!Object.hasOwn(current, segment)) return { found: false };
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return { found: true, value: current };
}
