import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { conditionFailed, strip } from '../catalogue/catalogue-store';
import type { TrailEvent } from '../domain/cases/trail';
import type { Qualification, StaffProfile } from '../domain/staff/staff';
import { type Page, queryAllPages, startKeyFor } from '../shared/pagination';

/**
 * Staff records in the catalogue table, beside the windows and departments they serve:
 *   STAFF#<userId> / PROFILE          the profile      gsi1: STAFF / <userId>; clerks gsi3: STAFF-WINDOW#<id>,
 *                                                      department staff gsi2: STAFF-DEPT#<id> (sk STAFF#<userId>)
 *   STAFF#<userId> / QUAL#<deptId>    a qualification (the one in force; earlier ones are in the trail)
 *   STAFF#<userId> / TRAIL#<seq>      the staff member's trail, hash-chained like a case's
 * The index partitions carry a `STAFF` prefix so that no list of matters by window or department meets them.
 */
export interface StoredProfile extends StaffProfile {
  revision: number;
  updatedAt: string;
  updatedBy: string;
  trailHead: { seq: number; hash: string };
}

export class StaffConflict extends Error {
  override readonly name = 'StaffConflict';
}

export type StaffListScope = { windowId: string } | { departmentId: string } | Record<string, never>;

const trailSk = (seq: number) => `TRAIL#${String(seq).padStart(6, '0')}`;
function profileIndexKeys(profile: StaffProfile): Record<string, string> {
  return {
    gsi1pk: 'STAFF',
    gsi1sk: profile.userId,
    ...(profile.windowId
      ? { gsi3pk: `STAFF-WINDOW#${profile.windowId}`, gsi3sk: `STAFF#${profile.userId}` }
      : {}),
    ...(profile.departmentId
      ? { gsi2pk: `STAFF-DEPT#${profile.departmentId}`, gsi2sk: `STAFF#${profile.userId}` }
      : {}),
  };
}

export function dynamoStaffStore(client: DynamoDBDocumentClient, tableName: string) {
  const transact = async (
    items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>,
  ) => {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (conditionFailed(error)) throw new StaffConflict('the staff record changed');
      throw error;
    }
  };
  const queryAll = (input: Omit<QueryCommandInput, 'TableName'>) =>
    queryAllPages(client, { TableName: tableName, ...input });
  const trailPut = (userId: string, event: TrailEvent) => ({
    Put: {
      TableName: tableName,
      Item: { pk: `STAFF#${userId}`, sk: trailSk(event.seq), ...event },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });

  return {
    async getProfile(userId: string): Promise<StoredProfile | undefined> {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: `STAFF#${userId}`, sk: 'PROFILE' },
          ConsistentRead: true,
        }),
      );
      return strip<StoredProfile>(Item);
    },

    /** One page of profiles: of a window (its clerks), of a department (its staff), or everyone. */
    async listProfiles(
      scope: StaffListScope,
      limit: number,
      cursor?: Record<string, unknown>,
    ): Promise<Page<StoredProfile>> {
      const [indexName, keyName, keyValue] =
        'windowId' in scope
          ? ['gsi3', 'gsi3pk', `STAFF-WINDOW#${scope.windowId}`]
          : 'departmentId' in scope
            ? ['gsi2', 'gsi2pk', `STAFF-DEPT#${scope.departmentId}`]
            : ['gsi1', 'gsi1pk', 'STAFF'];
      const startKey = startKeyFor(cursor, {
        partition: { [keyName]: keyValue },
        keys: ['pk', 'sk', keyName, keyName.replace(/pk$/, 'sk')],
      });
      const result = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: indexName,
          KeyConditionExpression: '#k = :v',
          ExpressionAttributeNames: { '#k': keyName },
          ExpressionAttributeValues: { ':v': keyValue },
          Limit: limit,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      return {
        items: (result.Items ?? []).map((item) => strip<StoredProfile>(item) as StoredProfile),
        ...(result.LastEvaluatedKey ? { lastKey: result.LastEvaluatedKey } : {}),
      };
    },

    /** Every clerk of a window (the matrix has tens, not thousands). */
    async windowClerks(windowId: string): Promise<StoredProfile[]> {
      const items = await queryAll({
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :w',
        ExpressionAttributeValues: { ':w': `STAFF-WINDOW#${windowId}` },
      });
      return items.map((item) => strip<StoredProfile>(item) as StoredProfile);
    },

    /** The profile and the qualifications in one query (`PROFILE` and `QUAL#…` sort before `TRAIL#`). */
    async standing(userId: string): Promise<{ profile?: StoredProfile; qualifications: Qualification[] }> {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': `STAFF#${userId}`, ':from': 'PROFILE', ':to': 'QUAL$' },
        ConsistentRead: true,
      });
      const profile = items.find((item) => item.sk === 'PROFILE');
      return {
        ...(profile ? { profile: strip<StoredProfile>(profile) as StoredProfile } : {}),
        qualifications: items
          .filter((item) => String(item.sk).startsWith('QUAL#'))
          .map((item) => strip<Qualification>(item) as Qualification),
      };
    },

    async trail(userId: string): Promise<TrailEvent[]> {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :trail)',
        ExpressionAttributeValues: { ':pk': `STAFF#${userId}`, ':trail': 'TRAIL#' },
        ConsistentRead: true,
      });
      return items.map((item) => strip<TrailEvent>(item) as TrailEvent);
    },

    /** Creates (expected revision 0) or replaces the profile at the revision read, with its trail event. */
    async putProfile(profile: StoredProfile, expectedRevision: number, event: TrailEvent): Promise<void> {
      await transact([
        {
          Put: {
            TableName: tableName,
            Item: { pk: `STAFF#${profile.userId}`, sk: 'PROFILE', ...profileIndexKeys(profile), ...profile },
            ...(expectedRevision === 0
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: 'revision = :expected',
                  ExpressionAttributeValues: { ':expected': expectedRevision },
                }),
          },
        },
        trailPut(profile.userId, event),
      ]);
    },

    /** Puts the qualification in force for its department, moving the profile's trail head with its event. */
    async putQualification(
      profile: StoredProfile,
      qualification: Qualification,
      event: TrailEvent,
    ): Promise<void> {
      await transact([
        {
          Update: {
            TableName: tableName,
            Key: { pk: `STAFF#${profile.userId}`, sk: 'PROFILE' },
            UpdateExpression: 'SET trailHead = :head',
            ConditionExpression: 'trailHead.seq = :seq',
            ExpressionAttributeValues: {
              ':head': { seq: event.seq, hash: event.hash },
              ':seq': profile.trailHead.seq,
            },
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: {
              pk: `STAFF#${profile.userId}`,
              sk: `QUAL#${qualification.departmentId}`,
              ...qualification,
            },
          },
        },
        trailPut(profile.userId, event),
      ]);
    },
  };
}

export type StaffStore = ReturnType<typeof dynamoStaffStore>;
