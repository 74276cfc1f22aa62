import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

/**
 * The public registry of result numbers (结果核验): one item per number in the cases table,
 * `RESULT#<number>` / `RESULT`, written in the same transaction as the result's production. It holds the
 * hash of the verification code and the minimum facts the public check answers, never personal data.
 */
export interface ResultEntry {
  resultNumber: string;
  codeHash: string;
  caseId: string;
  status: 'valid' | 'revoked';
  outcome: 'approve' | 'deny';
  resultName: string;
  matterName: string;
  issuer: string;
  decisionDate: string;
  validUntil?: string;
}

const key = (resultNumber: string) => ({ pk: `RESULT#${resultNumber}`, sk: 'RESULT' });

export function dynamoResultRegistry(client: DynamoDBDocumentClient, tableName: string) {
  return {
    /** The item to put with the change that produces the result (the number must be new). */
    entry: (entry: ResultEntry): Record<string, unknown> => ({ ...key(entry.resultNumber), ...entry }),

    async get(resultNumber: string): Promise<ResultEntry | undefined> {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key(resultNumber) }));
      if (!Item) return undefined;
      const { pk: _pk, sk: _sk, ...entry } = Item;
      return entry as ResultEntry;
    },
  };
}

export type ResultRegistry = ReturnType<typeof dynamoResultRegistry>;
