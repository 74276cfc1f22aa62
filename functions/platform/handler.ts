import { clock } from '../shared/clock';
import { createHttpHandler, route } from '../shared/http/handler';
import { json, text } from '../shared/http/response';
import { logger } from '../shared/logger';
import { dependencyProbes } from './dependency-probes';
import { docsAssetResponse, docsPageResponse } from './docs-page';
import { checkHealth } from './health';
import { platformRoutes } from './routes';

const stage = process.env.STAGE ?? 'local';

// The whole API's routes (every feature's schemas) and the OpenAPI generator are loaded on first use,
// not at cold start: most invocations of this function are health checks.
const knownRoutes = async () => (await import('../registry')).allRoutes;
let openApiJson: string | undefined;

export const handler = createHttpHandler(
  [
    route(platformRoutes.health, async () => {
      const report = await checkHealth(dependencyProbes, {
        onFailure: (dependency, error) => logger.warn('dependency unavailable', { dependency, error }),
      });
      const body = { ...report, stage, time: new Date(clock.now()).toISOString() };
      return json(report.status === 'ok' ? 200 : 503, body, { 'cache-control': 'no-store' });
    }),
    route(platformRoutes.openapi, async () => {
      if (openApiJson === undefined) {
        const { buildOpenApiDocument } = await import('./openapi');
        openApiJson = JSON.stringify(buildOpenApiDocument(await knownRoutes(), { version: '0.1.0' }));
      }
      return text(200, openApiJson, 'application/json; charset=utf-8');
    }),
    route(platformRoutes.docs, async () => docsPageResponse()),
    route(platformRoutes.docsAsset, async ({ params, query, event }) =>
      docsAssetResponse(params.file, query.v, event.headers['accept-encoding']),
    ),
    route(platformRoutes.me, async ({ principal }) => json(200, principal)),
  ],
  knownRoutes,
);
