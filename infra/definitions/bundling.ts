/**
 * How every Lambda is bundled by esbuild, shared by the CDK construct and the cold-path benchmark so
 * that the bench measures the bundles that are deployed: minified ESM for the Node 22 runtime, packages'
 * ES module builds first (`module` before `main`, so that the AWS SDK is tree-shaken), everything bundled.
 */
export const lambdaBundleTarget = 'node22';
export const lambdaMainFields = ['module', 'main'];

/** Runs before the bundle: ESM output still has CommonJS dependencies that call `require`. */
export const esmRequireBanner =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";
