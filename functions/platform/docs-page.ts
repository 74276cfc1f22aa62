import { NotFoundError } from '../shared/errors';
import type { HttpResult } from '../shared/http/response';
import { type DocsAsset, type DocsAssetName, isDocsAssetName, loadDocsAssets } from './docs-assets';

/**
 * GET /docs and GET /docs/assets/{file}: the interactive API reference (Swagger UI) on the API's own
 * origin. The page loads only files of this origin: no CDN, so it works offline, and its CSP lets it load
 * and call nothing else.
 */

/**
 * Scripts and styles from this origin only (Swagger UI sets styles through the DOM, which `style-src`
 * does not govern, so no 'unsafe-inline'); images from here or `data:` (the icons in its CSS); requests
 * (the document, try-it-out) to this origin only; no framing, no forms posted anywhere, no `<base>`.
 */
export const docsContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const securityHeaders = {
  'content-security-policy': docsContentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const assetUrl = (asset: DocsAsset) => `/docs/assets/${asset.name}?v=${asset.version}`;

export function renderDocsPage(assets: Map<DocsAssetName, DocsAsset>): string {
  const url = (name: DocsAssetName) => {
    const asset = assets.get(name);
    if (!asset) throw new Error(`docs asset ${name} is not loaded`);
    return assetUrl(asset);
  };
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OneWindow 一窗通办 API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${url('swagger-ui.css')}">
</head>
<body>
<noscript>本页需要 JavaScript。API 描述文件: <a href="/openapi.json">openapi.json</a></noscript>
<div id="swagger-ui"></div>
<script src="${url('swagger-ui-bundle.js')}"></script>
<script src="${url('onewindow-docs.js')}"></script>
</body>
</html>
`;
}

/** The page: never cached for long, so a new deployment's asset versions are picked up at once. */
export async function docsPageResponse(): Promise<HttpResult> {
  const assets = await loadDocsAssets();
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      ...securityHeaders,
    },
    body: renderDocsPage(assets),
  };
}

/** Whether `accept-encoding` takes gzip (`gzip;q=0` refuses it). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  return (acceptEncoding ?? '').split(',').some((part) => {
    const [coding, ...params] = part.trim().split(';');
    if (coding?.trim().toLowerCase() !== 'gzip' && coding?.trim() !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

const oneYear = 365 * 24 * 60 * 60;

/**
 * A file of the page, gzip-compressed when the client takes it. Cached for a year (immutable) when asked
 * for with the version the page links (`?v=`, a hash of its content); without it, or with an old version,
 * revalidated on every use, so a cache never keeps an old file under the current name.
 */
export async function docsAssetResponse(
  file: string,
  version: string | undefined,
  acceptEncoding: string | undefined,
): Promise<HttpResult> {
  if (!isDocsAssetName(file)) throw new NotFoundError('请求的文件不存在');
  const asset = (await loadDocsAssets()).get(file);
  if (!asset) throw new NotFoundError('请求的文件不存在');
  const gzip = acceptsGzip(acceptEncoding);
  return {
    statusCode: 200,
    headers: {
      'content-type': asset.contentType,
      'cache-control':
        version === asset.version ? `public, max-age=${oneYear}, immutable` : 'public, no-cache',
      vary: 'accept-encoding',
      'x-content-type-options': 'nosniff',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    },
    body: (gzip ? asset.gzipped : asset.body).toString('base64'),
    isBase64Encoded: true,
  };
}
