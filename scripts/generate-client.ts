import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';
import { buildOpenApiDocument } from '../functions/platform/openapi';
import { allRoutes } from '../functions/registry';

/**
 * `npm run client`: the typed client's generated files, from the same route specs the API serves.
 *
 * - `client/openapi.json`: the OpenAPI 3.1 document (servers `/`, the package's version), in the
 *   generator's key order, pretty-printed by the project's Biome with a trailing newline.
 * - `client/schema.ts`: its types (`paths`, `components`, `operations`) by openapi-typescript's Node API,
 *   formatted by the project's Biome so that `biome check` passes on it.
 *
 * The functions are exported so that `tests/unit/client-fresh.test.ts` regenerates both in memory and
 * compares them with the committed files: CI fails when they are stale.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const clientDir = path.join(root, 'client');
export const documentPath = path.join(clientDir, 'openapi.json');
export const schemaPath = path.join(clientDir, 'schema.ts');

/** The package's version, which the document states as `info.version`. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** The document as the API builds it, with relative servers (`/`): the client is given its base URL. */
export function buildClientDocument() {
  return buildOpenApiDocument(allRoutes, { version: packageVersion() });
}

/** The text of `client/openapi.json`: the generator's key order, laid out by Biome as `biome check` wants. */
export function documentText(document = buildClientDocument()): string {
  return biomeFormat(`${JSON.stringify(document, null, 2)}\n`, documentPath);
}

/** Biome (the project's pinned version and biome.json) formatting a file's text without writing it. */
function biomeFormat(text: string, filePath: string): string {
  const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
  const result = spawnSync(
    process.execPath,
    [biome, 'format', `--stdin-file-path=${path.relative(root, filePath)}`],
    { cwd: root, input: text, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (result.status !== 0 || !result.stdout)
    throw new Error(`biome format failed (${result.status}): ${result.stderr || result.error?.message}`);
  return result.stdout;
}

/** The text of `client/schema.ts`: openapi-typescript's types of the document, Biome-formatted. */
export async function schemaText(document = buildClientDocument()): Promise<string> {
  // The document is passed as an object (a deep copy: openapi-typescript's bundler annotates what it reads).
  const nodes = await openapiTS(structuredClone(document) as unknown as OpenAPI3, {
    silent: true,
    // A field with a default is still optional in a request: the server fills it in.
    defaultNonNullable: false,
  });
  const source = `${COMMENT_HEADER.replace(
    ' * Do not make direct changes to the file.',
    ' * Do not make direct changes to the file: run `npm run client` (scripts/generate-client.ts).',
  )}${astToString(nodes)}`;
  return biomeFormat(source, schemaPath);
}

async function main() {
  const document = buildClientDocument();
  const json = documentText(document);
  const types = await schemaText(document);
  writeFileSync(documentPath, json);
  writeFileSync(schemaPath, types);
  const paths = Object.keys(document.paths ?? {}).length;
  const schemas = Object.keys(document.components?.schemas ?? {}).length;
  console.log(
    `client/openapi.json  ${paths} paths, ${schemas} schemas (${(json.length / 1024).toFixed(0)} KiB)\n` +
      `client/schema.ts     ${types.split('\n').length} lines`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
