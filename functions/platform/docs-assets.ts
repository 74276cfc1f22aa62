import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * The files of the interactive API reference at /docs: Swagger UI from the npm package `swagger-ui-dist`
 * (pinned in package.json), served by this function from the API's own origin. No CDN: the page works
 * offline, and try-it-out calls the API on the page's own origin.
 *
 * In Lambda the files are shipped next to the bundle by the registry's `files` (see `docsAssetFiles`), each
 * with its path in an environment variable; elsewhere (the local stack, tests) they are read from the
 * installed package.
 */

/** The files of swagger-ui-dist the page loads, with the variable that gives each one's path in Lambda. */
const packageFiles = {
  'swagger-ui-bundle.js': 'DOCS_SWAGGER_UI_BUNDLE_JS',
  'swagger-ui.css': 'DOCS_SWAGGER_UI_CSS',
} as const;

type PackageFileName = keyof typeof packageFiles;

/** Our own script that starts Swagger UI: a file, since the page's CSP allows no inline script. */
export const docsStartScriptName = 'onewindow-docs.js';

export type DocsAssetName = PackageFileName | typeof docsStartScriptName;

/** Every file served under /docs/assets/; any other name is a 404. */
export const docsAssetNames: readonly DocsAssetName[] = [
  ...(Object.keys(packageFiles) as PackageFileName[]),
  docsStartScriptName,
];

export const isDocsAssetName = (name: string): name is DocsAssetName =>
  (docsAssetNames as readonly string[]).includes(name);

/**
 * For the registry's `files` of the platform function: copied from the installed package (paths relative
 * to the repository root, where CDK bundles) into the asset, each one's path passed in its variable.
 */
export const docsAssetFiles: { from: string; to: string; env: string }[] = Object.entries(packageFiles).map(
  ([name, env]) => ({ from: `node_modules/swagger-ui-dist/${name}`, to: `docs/${name}`, env }),
);

const contentTypes: Record<DocsAssetName, string> = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
  [docsStartScriptName]: 'text/javascript; charset=utf-8',
};

/** Where a package file is: its variable (Lambda), else the installed package (resolved when first needed). */
export function packageFilePath(name: PackageFileName, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[packageFiles[name]];
  if (configured) return configured;
  const packageJson = createRequire(import.meta.url).resolve('swagger-ui-dist/package.json');
  return path.join(path.dirname(packageJson), name);
}

/**
 * Starts Swagger UI on the document this API serves. `BaseLayout`: the reference without the standalone
 * top bar (whose box would load any other URL); `validatorUrl: null`: no call to swagger.io's validator.
 */
export const docsStartScript = `'use strict';
window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  layout: 'BaseLayout',
  presets: [SwaggerUIBundle.presets.apis],
  plugins: [SwaggerUIBundle.plugins.DownloadUrl],
  deepLinking: true,
  persistAuthorization: true,
  tryItOutEnabled: true,
  displayRequestDuration: true,
  filter: true,
  validatorUrl: null,
});
`;

export interface DocsAsset {
  name: DocsAssetName;
  contentType: string;
  body: Buffer;
  gzipped: Buffer;
  /** The first 16 hex digits of the content's sha256: the page links `?v=<version>`. */
  version: string;
}

const versionOf = (body: Buffer) => createHash('sha256').update(body).digest('hex').slice(0, 16);

function asset(name: DocsAssetName, body: Buffer): DocsAsset {
  return { name, contentType: contentTypes[name], body, gzipped: gzipSync(body), version: versionOf(body) };
}

async function readAssets(env: NodeJS.ProcessEnv): Promise<Map<DocsAssetName, DocsAsset>> {
  const files = await Promise.all(
    (Object.keys(packageFiles) as PackageFileName[]).map(async (name) =>
      asset(name, await readFile(packageFilePath(name, env))),
    ),
  );
  return new Map(
    [...files, asset(docsStartScriptName, Buffer.from(docsStartScript, 'utf8'))].map((a) => [a.name, a]),
  );
}

let loaded: Promise<Map<DocsAssetName, DocsAsset>> | undefined;

/**
 * Every asset, read and compressed once per container on the first request for the page or a file (not at
 * cold start: most invocations of this function are health checks). A failed read is tried again next time.
 */
export function loadDocsAssets(env: NodeJS.ProcessEnv = process.env): Promise<Map<DocsAssetName, DocsAsset>> {
  if (!loaded) {
    loaded = readAssets(env);
    loaded.catch(() => {
      loaded = undefined;
    });
  }
  return loaded;
}
