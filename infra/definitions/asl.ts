import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, for loading ASL files and handler entries by their registry paths. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const placeholderPattern = /\$\{([A-Za-z0-9_]+)\}/g;

/** The `${Name}` placeholders an ASL text uses (CDK definitionSubstitutions fill them in AWS). */
export function aslPlaceholders(aslText: string): string[] {
  return [...new Set([...aslText.matchAll(placeholderPattern)].map((m) => m[1] as string))].sort();
}

export function readAsl(aslFile: string): string {
  return readFileSync(path.resolve(repoRoot, aslFile), 'utf8');
}

/**
 * Fills every placeholder, as CDK does at deploy time; a placeholder without a value is an error, so a
 * definition never runs with a literal `${...}` in it.
 */
export function substituteAsl(
  aslText: string,
  substitutions: Record<string, string>,
): Record<string, unknown> {
  const missing = aslPlaceholders(aslText).filter((name) => substitutions[name] === undefined);
  if (missing.length > 0) throw new Error(`ASL placeholders without a value: ${missing.join(', ')}`);
  return JSON.parse(aslText.replace(placeholderPattern, (_, name: string) => substitutions[name] as string));
}
