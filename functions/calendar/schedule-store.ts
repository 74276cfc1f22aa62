import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { YearScheduleData } from '../domain/calendar/schedules';

/**
 * Holiday schedules loaded at run time, in the catalogue table:
 *   SCHEDULE#<year> / SCHEDULE   the validated schedule of a year, who loaded it and when
 *                                gsi1: SCHEDULES / <year>
 * One item per year: a later load of the same year replaces it (the newest load wins).
 */
export interface StoredSchedule extends YearScheduleData {
  loadedAt: string;
  loadedBy: string;
}

const keyOf = (year: number) => ({ pk: `SCHEDULE#${year}`, sk: 'SCHEDULE' });

const stored = (item: Record<string, unknown>): StoredSchedule => {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...schedule } = item;
  return schedule as unknown as StoredSchedule;
};

export function dynamoScheduleStore(client: DynamoDBDocumentClient, tableName: string) {
  return {
    async getSchedule(year: number): Promise<StoredSchedule | undefined> {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: keyOf(year), ConsistentRead: true }),
      );
      return Item ? stored(Item) : undefined;
    },

    /** Every loaded year, oldest year first (at most one item per year from 2000 to 2100). */
    async listSchedules(): Promise<StoredSchedule[]> {
      const schedules: StoredSchedule[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :kind',
            ExpressionAttributeValues: { ':kind': 'SCHEDULES' },
            ExclusiveStartKey: startKey,
          }),
        );
        schedules.push(...(page.Items ?? []).map(stored));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return schedules;
    },

    async putSchedule(schedule: StoredSchedule): Promise<void> {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...keyOf(schedule.year),
            gsi1pk: 'SCHEDULES',
            gsi1sk: String(schedule.year),
            ...schedule,
          },
        }),
      );
    },
  };
}

export type ScheduleStore = ReturnType<typeof dynamoScheduleStore>;
