import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  docsAssetFiles,
  docsAssetNames,
  docsStartScript,
  loadDocsAssets,
  packageFilePath,
} from '../../functions/platform/docs-assets';
import {
  acceptsGzip,
  docsAssetResponse,
  docsContentSecurityPolicy,
  docsPageResponse,
} from '../../functions/platform/docs-page';
import { platformRoutes } from '../../functions/platform/routes';
import { NotFoundError } from '../../functions/shared/errors';

const packageDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const packageFile = (name: string) => readFileSync(path.join(packageDir, name));

describe('the docs page', () => {
  it('links its three files with their versions, and allows only this origin', async () => {
    const page = await docsPageResponse();
    expect(page.statusCode).toBe(200);
    expect(page.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers?.['content-security-policy']).toBe(docsContentSecurityPolicy);
    expect(docsContentSecurityPolicy).toContain("default-src 'none'");
    expect(docsContentSecurityPolicy).not.toMatch(/unsafe|\*|https?:/);
    const assets = await loadDocsAssets();
    for (const name of docsAssetNames) {
      const asset = assets.get(name);
      expect(asset?.version, name).toMatch(/^[0-9a-f]{16}$/);
      expect(page.body).toContain(`/docs/assets/${name}?v=${asset?.version}`);
    }
    // No inline script (the CSP would refuse it), no address off the origin.
    expect(page.body).not.toMatch(/<script>|<script [^>]*>[^<]/);
    expect(page.body).not.toMatch(/https?:\/\//);
  });

  it('starts Swagger UI on /openapi.json with Authorize kept, try-it-out on and no outside validator', () => {
    expect(docsStartScript).toContain("url: '/openapi.json'");
    expect(docsStartScript).toContain('persistAuthorization: true');
    expect(docsStartScript).toContain('tryItOutEnabled: true');
    expect(docsStartScript).toContain('deepLinking: true');
    expect(docsStartScript).toContain('validatorUrl: null');
  });
});

describe('GET /docs/assets/{file}', () => {
  it('serves the package files byte for byte, gzip when accepted, with their content types', async () => {
    const assets = await loadDocsAssets();
    for (const [name, type] of [
      ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
      ['swagger-ui.css', 'text/css; charset=utf-8'],
    ] as const) {
      const plain = await docsAssetResponse(name, undefined, undefined);
      expect(plain.headers?.['content-type']).toBe(type);
      expect(plain.headers?.['content-encoding']).toBeUndefined();
      expect(plain.isBase64Encoded).toBe(true);
      expect(Buffer.from(String(plain.body), 'base64').equals(packageFile(name)), name).toBe(true);

      const gzipped = await docsAssetResponse(name, assets.get(name)?.version, 'gzip, deflate, br');
      expect(gzipped.headers?.['content-encoding']).toBe('gzip');
      expect(gzipped.headers?.vary).toBe('accept-encoding');
      expect(gunzipSync(Buffer.from(String(gzipped.body), 'base64')).equals(packageFile(name))).toBe(true);
    }
    const script = await docsAssetResponse('onewindow-docs.js', undefined, undefined);
    expect(script.headers?.['content-type']).toBe('text/javascript; charset=utf-8');
    expect(Buffer.from(String(script.body), 'base64').toString('utf8')).toBe(docsStartScript);
  });

  it('is cached for a year only under its current version', async () => {
    const version = (await loadDocsAssets()).get('swagger-ui.css')?.version;
    const current = await docsAssetResponse('swagger-ui.css', version, undefined);
    expect(current.headers?.['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const other of [undefined, '0000000000000000']) {
      const answer = await docsAssetResponse('swagger-ui.css', other, undefined);
      expect(answer.headers?.['cache-control'], String(other)).toBe('public, no-cache');
    }
  });

  it('answers 404 for any other name', async () => {
    for (const name of ['index.html', 'swagger-ui.js', 'swagger-ui-bundle.js.map', '../package.json', '']) {
      await expect(docsAssetResponse(name, undefined, undefined), name).rejects.toBeInstanceOf(NotFoundError);
    }
  });

  it('documents exactly the served names in its path parameter', () => {
    const file = platformRoutes.docsAsset.request.params.shape.file;
    expect(file.meta()?.enum).toEqual([...docsAssetNames]);
    expect(platformRoutes.docsAsset.access).toBe('public');
  });
});

describe('where the files are', () => {
  it('takes a path from its variable (Lambda), else the installed package', () => {
    expect(packageFilePath('swagger-ui.css', { DOCS_SWAGGER_UI_CSS: '/var/task/docs/swagger-ui.css' })).toBe(
      '/var/task/docs/swagger-ui.css',
    );
    expect(packageFilePath('swagger-ui.css', {})).toBe(path.join(packageDir, 'swagger-ui.css'));
  });

  it('ships each package file the page loads, for the registry, from the installed package', () => {
    expect(docsAssetFiles).toEqual([
      {
        from: 'node_modules/swagger-ui-dist/swagger-ui-bundle.js',
        to: 'docs/swagger-ui-bundle.js',
        env: 'DOCS_SWAGGER_UI_BUNDLE_JS',
      },
      {
        from: 'node_modules/swagger-ui-dist/swagger-ui.css',
        to: 'docs/swagger-ui.css',
        env: 'DOCS_SWAGGER_UI_CSS',
      },
    ]);
    for (const file of docsAssetFiles) {
      // Relative to the repository root, where the tests and CDK run.
      expect(readFileSync(file.from).equals(packageFile(path.basename(file.from)))).toBe(true);
      expect(packageFilePath(path.basename(file.from) as 'swagger-ui.css', { [file.env]: file.from })).toBe(
        file.from,
      );
    }
  });
});

describe('accept-encoding', () => {
  it.each([
    ['gzip', true],
    ['gzip, deflate, br, zstd', true],
    ['br;q=1.0, gzip;q=0.8', true],
    ['*', true],
    ['gzip;q=0', false],
    ['br', false],
    ['identity', false],
    [undefined, false],
  ])('%s → %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});
