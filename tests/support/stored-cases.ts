import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { caseCreation, dynamoCaseStore } from '../../functions/cases/case-store';
import { versionSk } from '../../functions/catalogue/catalogue-store';
import type { CaseRecord } from '../../functions/domain/cases/model';
import type { TrailEvent } from '../../functions/domain/cases/trail';
import type { testDocumentClient } from './aws';

/**
 * A case written as the case store writes it (head, parts, first trail event), with the published
 * version it pins in the catalogue table (only what a case reads of it: review points and materials), for
 * tests that start from a case in some state rather than driving it there through the API.
 */
export async function storeCase(
  documents: ReturnType<typeof testDocumentClient>,
  tables: { cases: string; catalogue: string },
  record: CaseRecord,
  event: TrailEvent,
) {
  const { code, version, reviewPoints, materials } = record.matter;
  await documents.send(
    new PutCommand({
      TableName: tables.catalogue,
      Item: {
        pk: `MATTER#${code}`,
        sk: versionSk(version),
        code,
        version,
        status: 'published',
        guide: { reviewPoints, materials },
      },
    }),
  );
  const store = dynamoCaseStore(documents, { ...tables, idempotency: '' }, async () => ({
    reviewPoints,
    materials,
  }));
  await store.write(caseCreation(record, event));
}
