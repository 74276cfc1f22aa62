import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type CatalogueStore, dynamoCatalogueStore, type MatterVersion } from '../catalogue/catalogue-store';
import { keepingPublishedVersions } from '../catalogue/published-versions';
import type { MatterDetails } from '../domain/cases/model';

/**
 * The review points and material requirements of a case's pinned matter version. A case keeps only a
 * reference to its version; a published version item never changes, so it is read by key (and kept in
 * the container by `keepingPublishedVersions`) whenever a case is assembled.
 */
export type MatterDetailsSource = (code: string, version: number) => Promise<MatterDetails>;

export const matterDetailsOf = (version: Pick<MatterVersion, 'guide'>): MatterDetails => ({
  reviewPoints: version.guide.reviewPoints,
  materials: version.guide.materials.map((m) => ({
    id: m.id,
    name: m.name,
    required: m.required,
    deferrable: m.deferrable,
    keyMaterial: m.keyMaterial,
  })),
});

export class PinnedVersionMissing extends Error {
  override readonly name = 'PinnedVersionMissing';
}

export function pinnedMatterDetails(catalogue: Pick<CatalogueStore, 'getVersion'>): MatterDetailsSource {
  return async (code, version) => {
    const read = await catalogue.getVersion(code, version);
    // A case pins only published versions, and those are never deleted: a miss is corrupt data.
    if (!read) throw new PinnedVersionMissing(`matter ${code} version ${version} is missing`);
    return matterDetailsOf(read);
  };
}

/** The details from the catalogue table, each published version read once per container. */
export const catalogueMatterDetails = (client: DynamoDBDocumentClient, catalogueTable: string) =>
  pinnedMatterDetails(keepingPublishedVersions(dynamoCatalogueStore(client, catalogueTable)));
