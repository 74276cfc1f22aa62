/** Matches a concrete path against an API Gateway template (`/cases/{caseId}`, `/files/{key+}`). */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const templateParts = template.split('/').filter(Boolean);
  const pathParts = path.split('/').filter(Boolean);
  const params: Record<string, string> = {};
  for (let i = 0; i < templateParts.length; i++) {
    const part = templateParts[i] as string;
    const greedy = /^\{(.+)\+\}$/.exec(part);
    if (greedy?.[1]) {
      if (i >= pathParts.length) return undefined;
      params[greedy[1]] = pathParts.slice(i).map(safeDecode).join('/');
      return params;
    }
    const actual = pathParts[i];
    if (actual === undefined) return undefined;
    const param = /^\{(.+)\}$/.exec(part);
    if (param?.[1]) params[param[1]] = safeDecode(actual);
    else if (part !== actual) return undefined;
  }
  return pathParts.length === templateParts.length ? params : undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
