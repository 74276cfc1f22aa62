import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionDefinitions } from '../../functions/registry';
import { buildApp, type OneWindowApp } from '../../infra/app';
import type { AppFunction } from '../../infra/constructs/app-function';
import { esmRequireBanner } from '../../infra/definitions/bundling';
import { type CfnJson, logicalIdOf } from './support';

/**
 * A real synthesis with esbuild bundling of every function, locally (no Docker, no network), as
 * `npx cdk synth` does it. Each bundle must be an ESM file that Node can load and that exports `handler`.
 */
let built: OneWindowApp;
let outdir: string;
const envBefore = { ...process.env };

beforeAll(() => {
  outdir = mkdtempSync(path.join(os.tmpdir(), 'onewindow-bundle-'));
  built = buildApp({ outdir });
  built.app.synth();
}, 180_000);

afterAll(() => {
  for (const key of Object.keys(process.env)) if (!(key in envBefore)) delete process.env[key];
  Object.assign(process.env, envBefore);
});

function lambdaResource(fn: AppFunction): CfnJson {
  const template = JSON.parse(readFileSync(path.join(outdir, fn.function.stack.templateFile), 'utf8'));
  return template.Resources[logicalIdOf(fn.function)];
}

function bundleDirectory(fn: AppFunction): string {
  const hash = String(lambdaResource(fn).Properties.Code.S3Key).replace(/\.zip$/, '');
  const stack = fn.function.stack;
  const assets = JSON.parse(readFileSync(path.join(outdir, `${stack.artifactId}.assets.json`), 'utf8'));
  return path.join(outdir, assets.files[hash].source.path);
}

/** Stand-in values for the variables a handler reads at import (the real ones are CloudFormation intrinsics). */
function importEnvironment(fn: AppFunction): Record<string, string> {
  const variables = lambdaResource(fn).Properties.Environment.Variables as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => {
      // Lambda unpacks the asset at /var/task: here it is the bundle's own directory.
      if (typeof value === 'string' && value.startsWith('/var/task/'))
        return [name, path.join(bundleDirectory(fn), value.slice('/var/task/'.length))];
      if (typeof value === 'string') return [name, value];
      if (name.endsWith('_ARN'))
        return [name, 'arn:aws:states:cn-north-1:123456789012:stateMachine:bundle-test'];
      if (name === 'JWT_ISSUER') return [name, 'https://issuer.example.invalid'];
      if (name === 'JWT_JWKS_URL') return [name, 'https://issuer.example.invalid/.well-known/jwks.json'];
      return [name, `bundle-test-${name.toLowerCase()}`];
    }),
  );
}

describe.each(functionDefinitions)('bundle of $id', (def) => {
  const appFunction = (): AppFunction => {
    const fn = built.api.functions[def.id] ?? built.workflow.functions[def.id];
    if (!fn) throw new Error(`no function ${def.id}`);
    return fn;
  };

  it('is a minified ESM file with the createRequire banner and a source map', () => {
    const directory = bundleDirectory(appFunction());
    const code = readFileSync(path.join(directory, 'index.mjs'), 'utf8');
    expect(code.startsWith(esmRequireBanner)).toBe(true);
    expect(code).toContain('//# sourceMappingURL=index.mjs.map');
    expect(existsSync(path.join(directory, 'index.mjs.map'))).toBe(true);
    // Everything is bundled: no bare imports of packages left for the runtime to resolve.
    expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
    expect(code).not.toMatch(/from\s*["'](zod|jose|@middy\/core)["']/);
  });

  it('loads in Node and exports the handler', async () => {
    const fn = appFunction();
    Object.assign(process.env, importEnvironment(fn));
    const module = await import(pathToFileURL(path.join(bundleDirectory(fn), 'index.mjs')).href);
    expect(typeof module.handler).toBe('function');
  });
});

describe.each(functionDefinitions.filter((def) => (def.files ?? []).length > 0))('files of $id', (def) => {
  it('ships them next to the bundle, byte for byte', () => {
    const fn = built.api.functions[def.id] ?? built.workflow.functions[def.id];
    if (!fn) throw new Error(`no function ${def.id}`);
    for (const file of def.files ?? []) {
      const shipped = path.join(bundleDirectory(fn), file.to);
      expect(readFileSync(shipped).equals(readFileSync(file.from)), file.to).toBe(true);
    }
  });
});
