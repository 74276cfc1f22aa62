import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, for loading ASL files and handler entries by their registry paths. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const placeholderPattern = /\$\{([A-Za-z0-9_]+)\}/g;

/**
 * Placeholders every ASL file may use that no registry function fills, with the value the loader gives
 * them when the caller does not. `Partition` is the ARN partition of the optimized integrations
 * (`arn:${Partition}:states:::lambda:invoke`): the workflow stack passes `AWS::Partition` (`aws`, or `aws-cn`
 * in the China regions); the local runner accepts either, so the local stack may leave it to the default.
 */
export const aslBuiltInPlaceholders: Readonly<Record<string, string>> = { Partition: 'aws' };

/** The `${Name}` placeholders an ASL text uses (CDK definitionSubstitutions fill them in AWS). */
export function aslPlaceholders(aslText: string): string[] {
  return [...new Set([...aslText.matchAll(placeholderPattern)].map((m) => m[1] as string))].sort();
}

/** The placeholders a registry function must fill: all but the built-in ones (`Partition`). */
export function aslFunctionPlaceholders(aslText: string): string[] {
  return aslPlaceholders(aslText).filter((name) => !Object.hasOwn(aslBuiltInPlaceholders, name));
}

export function readAsl(aslFile: string): string {
  return readFileSync(path.resolve(repoRoot, aslFile), 'utf8');
}

/**
 * Fills every placeholder, as CDK does at deploy time (built-in ones default to aslBuiltInPlaceholders); a
 * placeholder without a value is an error, so a definition never runs with a literal `${...}` in it.
 */
export function substituteAsl(
  aslText: string,
  substitutions: Record<string, string>,
): Record<string, unknown> {
  const values: Record<string, string> = { ...aslBuiltInPlaceholders, ...substitutions };
  const missing = aslPlaceholders(aslText).filter((name) => values[name] === undefined);
  if (missing.length > 0) throw new Error(`ASL placeholders without a value: ${missing.join(', ')}`);
  return JSON.parse(aslText.replace(placeholderPattern, (_, name: string) => values[name] as string));
}
