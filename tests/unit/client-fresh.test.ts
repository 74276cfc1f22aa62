import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildClientDocument,
  documentPath,
  documentText,
  schemaPath,
  schemaText,
} from '../../scripts/generate-client';

/**
 * The typed client's generated files are committed (an app imports them without running the generator),
 * so CI regenerates them in memory from the route specs and fails when the committed ones differ.
 */
const stale = (file: string) =>
  `${file} is stale: it is not what \`npm run client\` generates from the current route specs ` +
  '(or package version, or generator). Run `npm run client` and commit client/.';

describe('the typed client (client/) is generated from the current API', () => {
  const document = buildClientDocument();

  it('client/openapi.json is the document the API builds, byte for byte', () => {
    const committed = readFileSync(documentPath, 'utf8');
    const fresh = documentText(document);
    // A short message first (the whole 600 KB diff would bury it), then where they part.
    if (committed !== fresh)
      expect.fail(`${stale('client/openapi.json')}\n${firstDifference(committed, fresh)}`);
    expect(JSON.parse(committed)).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it('client/schema.ts is openapi-typescript’s output for that document, byte for byte', async () => {
    const committed = readFileSync(schemaPath, 'utf8');
    const fresh = await schemaText(document);
    if (committed !== fresh)
      expect.fail(`${stale('client/schema.ts')}\n${firstDifference(committed, fresh)}`);
    expect(committed).toMatch(/^export interface paths \{/m);
  });
});

/** The first line where the committed and the fresh text differ, both shown. */
function firstDifference(committed: string, fresh: string): string {
  const a = committed.split('\n');
  const b = fresh.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return `first difference at line ${at + 1}:\n  committed: ${a[at] ?? '(end of file)'}\n  generated: ${b[at] ?? '(end of file)'}`;
}
