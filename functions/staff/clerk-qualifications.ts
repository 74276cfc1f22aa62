import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CatalogueStore } from '../catalogue/catalogue-store';
import type { Qualification } from '../domain/staff/staff';
import { dynamoStaffStore } from './staff-store';

/** What the front desk asks about a clerk before a decision at the window: their record's standing. */
export interface ClerkQualifications {
  /** `active` is undefined when the centre has no record of the clerk. */
  of(userId: string): Promise<{ active: boolean | undefined; qualifications: Qualification[] }>;
  /** The department's name, for the message that says which qualification is missing. */
  departmentName(departmentId: string): Promise<string>;
}

export function catalogueClerkQualifications(
  client: DynamoDBDocumentClient,
  catalogueTable: string,
  catalogue: Pick<CatalogueStore, 'getDepartment'>,
): ClerkQualifications {
  const staff = dynamoStaffStore(client, catalogueTable);
  return {
    async of(userId) {
      const { profile, qualifications } = await staff.standing(userId);
      return { active: profile?.active, qualifications };
    },
    departmentName: async (departmentId) =>
      (await catalogue.getDepartment(departmentId))?.name ?? departmentId,
  };
}
