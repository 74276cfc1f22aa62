/**
 * Which function an API request reaches: the route templates of the registry, the most specific first
 * (literal segments before parameters), as the HTTP API and the local gateway choose them.
 */
export interface RoutedFunction {
  id: string;
  routes: { method: string; path: string }[];
  defaultRoute?: boolean;
}

export interface ResolvedRoute {
  functionId: string;
  /** `METHOD /template`, or `$default`. */
  routeKey: string;
}

const segmentsOf = (path: string) => path.split('/').filter((s) => s !== '');

function matches(template: string, path: string): boolean {
  const want = segmentsOf(template);
  const got = segmentsOf(path);
  if (want.length !== got.length) return false;
  return want.every((part, i) => (part.startsWith('{') && part.endsWith('}')) || part === got[i]);
}

export function routeResolver(functions: RoutedFunction[]): (method: string, url: string) => ResolvedRoute {
  const parameters = (path: string) => segmentsOf(path).filter((s) => s.startsWith('{')).length;
  const routes = functions
    .flatMap((fn) => fn.routes.map((r) => ({ ...r, functionId: fn.id })))
    .sort((a, b) => parameters(a.path) - parameters(b.path));
  const fallback = functions.find((fn) => fn.defaultRoute);
  return (method, url) => {
    const path = new URL(url, 'http://localhost').pathname;
    const route = routes.find((r) => r.method === method.toUpperCase() && matches(r.path, path));
    if (route) return { functionId: route.functionId, routeKey: `${route.method} ${route.path}` };
    return { functionId: fallback?.id ?? 'unknown', routeKey: '$default' };
  };
}
