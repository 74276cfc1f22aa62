import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Department, ServiceGuideContent, Window, WindowAssignment } from '../domain/catalogue/model';
import type { PublishedSnapshot, VersionPointers } from '../domain/catalogue/versions';
import { type Page, startKeyFor } from '../shared/pagination';

/**
 * The catalogue table. Items:
 *   WINDOW#<id> / WINDOW          a window            gsi1: WINDOWS / <id>
 *   DEPT#<id> / DEPT              a department        gsi1: DEPTS / <id>
 *   CREDITCODE#<code> / CREDITCODE  makes credit codes unique
 *   MATTER#<code> / HEAD          a matter: department, window assignment, version pointers, draft
 *                                 gsi1: MATTERS / <code> (published only), gsi2: DEPT#<id> / <code>,
 *                                 gsi3: WINDOW#<id> / <code> (assigned and published only)
 *   MATTER#<code> / VERSION#<n>   one version of the service guide (draft or published)
 *   MATTER#<code> / FILE#<id>     a confirmed blank form or sample
 * Every change is conditional on the revision the caller read (optimistic concurrency).
 */
export interface Audit {
  at: string;
  by: string;
}

export interface StoredWindow extends Window {
  revision: number;
  updatedAt: string;
  updatedBy: string;
}

export interface StoredDepartment extends Department {
  revision: number;
  updatedAt: string;
  updatedBy: string;
}

export interface MatterHead extends VersionPointers {
  code: string;
  departmentId: string;
  assignment?: WindowAssignment;
  draft?: { version: number; revision: number };
  latestVersion: number;
  revision: number;
}

export interface MatterVersion {
  code: string;
  version: number;
  status: 'draft' | 'published';
  guide: ServiceGuideContent;
  revision: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  validFrom?: string;
  publishedAt?: string;
  publishedBy?: string;
}

/** A blank form or sample: requested (declared name, type, size), then confirmed after the server read it. */
export interface CatalogueFile {
  fileId: string;
  code: string;
  key: string;
  fileName: string;
  contentType: 'application/pdf' | 'image/jpeg' | 'image/png';
  size: number;
  sha256?: string;
  confirmedAt?: string;
}

export class RevisionConflict extends Error {
  override readonly name = 'RevisionConflict';
}

export class AlreadyExists extends Error {
  override readonly name = 'AlreadyExists';
  constructor(readonly what: 'matter' | 'creditCode') {
    super(`${what} already exists`);
  }
}

export const versionSk = (version: number) => `VERSION#${String(version).padStart(6, '0')}`;
/** An item without its table and index keys (the catalogue table's items, staff records included). */
export const strip = <T>(item: Record<string, unknown> | undefined, ...extra: string[]): T | undefined => {
  if (!item) return undefined;
  const copy = { ...item };
  for (const key of ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', ...extra])
    delete copy[key];
  return copy as T;
};

/** A condition of the write (or of one item of its transaction) did not hold. */
export function conditionFailed(error: unknown): boolean {
  if (error instanceof ConditionalCheckFailedException) return true;
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed')
  );
}

/** Index keys of a matter head: listed publicly only once published, by window only once assigned. */
function headIndexKeys(head: MatterHead): Record<string, string> {
  const published = head.current !== undefined || head.scheduled !== undefined;
  return {
    gsi2pk: `DEPT#${head.departmentId}`,
    gsi2sk: head.code,
    ...(published ? { gsi1pk: 'MATTERS', gsi1sk: head.code } : {}),
    ...(published && head.assignment
      ? { gsi3pk: `WINDOW#${head.assignment.windowId}`, gsi3sk: head.code }
      : {}),
  };
}

export function dynamoCatalogueStore(client: DynamoDBDocumentClient, tableName: string) {
  const get = async <T>(pk: string, sk: string): Promise<T | undefined> =>
    strip<T>(
      (await client.send(new GetCommand({ TableName: tableName, Key: { pk, sk }, ConsistentRead: true })))
        .Item,
    );

  const query = async <T>(input: Omit<QueryCommandInput, 'TableName'>): Promise<Page<T>> => {
    const result = await client.send(new QueryCommand({ TableName: tableName, ...input }));
    return {
      items: (result.Items ?? []).map((item) => strip<T>(item) as T),
      ...(result.LastEvaluatedKey ? { lastKey: result.LastEvaluatedKey } : {}),
    };
  };

  const transact = async (items: NonNullable<TransactWriteCommandInput['TransactItems']>) => {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (conditionFailed(error)) throw new RevisionConflict('revision changed');
      throw error;
    }
  };

  /** Put `item` if it is new (expected revision 0) or still at `expectedRevision`. */
  const revisionCondition = (expectedRevision: number) =>
    expectedRevision === 0
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : {
          ConditionExpression: 'revision = :expected',
          ExpressionAttributeValues: { ':expected': expectedRevision },
        };

  /** The head moves on only from the revision the caller read. */
  const replaceHead = (head: MatterHead, nextHead: MatterHead) => ({
    Put: {
      TableName: tableName,
      Item: { pk: `MATTER#${head.code}`, sk: 'HEAD', ...headIndexKeys(nextHead), ...nextHead },
      ConditionExpression: 'revision = :headRevision',
      ExpressionAttributeValues: { ':headRevision': head.revision },
    },
  });

  /** The query's start key from a client's cursor: the keys of that index in that partition, or 400. */
  const continuing = (cursor: Record<string, unknown> | undefined, keyName: string, keyValue: string) =>
    startKeyFor(cursor, {
      partition: { [keyName]: keyValue },
      keys: ['pk', 'sk', keyName, keyName.replace(/pk$/, 'sk')],
    });

  const listKind = <T>(kind: string, limit: number, cursor?: Record<string, unknown>) => {
    const startKey = continuing(cursor, 'gsi1pk', kind);
    return query<T>({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :kind',
      ExpressionAttributeValues: { ':kind': kind },
      Limit: limit,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    });
  };

  return {
    getWindow: (id: string) => get<StoredWindow>(`WINDOW#${id}`, 'WINDOW'),
    listWindows: (limit: number, cursor?: Record<string, unknown>) =>
      listKind<StoredWindow>('WINDOWS', limit, cursor),

    async putWindow(window: Window, expectedRevision: number, audit: Audit): Promise<StoredWindow> {
      const stored: StoredWindow = {
        ...window,
        revision: expectedRevision + 1,
        updatedAt: audit.at,
        updatedBy: audit.by,
      };
      await transact([
        {
          Put: {
            TableName: tableName,
            Item: {
              pk: `WINDOW#${window.id}`,
              sk: 'WINDOW',
              gsi1pk: 'WINDOWS',
              gsi1sk: window.id,
              ...stored,
            },
            ...revisionCondition(expectedRevision),
          },
        },
      ]);
      return stored;
    },

    getDepartment: (id: string) => get<StoredDepartment>(`DEPT#${id}`, 'DEPT'),
    listDepartments: (limit: number, cursor?: Record<string, unknown>) =>
      listKind<StoredDepartment>('DEPTS', limit, cursor),

    /** Writes the department and claims its credit code in one transaction (releasing a changed one). */
    async putDepartment(
      department: Department,
      expectedRevision: number,
      previousCreditCode: string | undefined,
      audit: Audit,
    ): Promise<StoredDepartment> {
      const stored: StoredDepartment = {
        ...department,
        revision: expectedRevision + 1,
        updatedAt: audit.at,
        updatedBy: audit.by,
      };
      const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
        {
          Put: {
            TableName: tableName,
            Item: {
              pk: `DEPT#${department.id}`,
              sk: 'DEPT',
              gsi1pk: 'DEPTS',
              gsi1sk: department.id,
              ...stored,
            },
            ...revisionCondition(expectedRevision),
          },
        },
      ];
      if (previousCreditCode !== department.creditCode) {
        items.push({
          Put: {
            TableName: tableName,
            Item: {
              pk: `CREDITCODE#${department.creditCode}`,
              sk: 'CREDITCODE',
              departmentId: department.id,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        });
        if (previousCreditCode) {
          items.push({
            Delete: {
              TableName: tableName,
              Key: { pk: `CREDITCODE#${previousCreditCode}`, sk: 'CREDITCODE' },
            },
          });
        }
      }
      try {
        await client.send(new TransactWriteCommand({ TransactItems: items }));
      } catch (error) {
        if (
          error instanceof TransactionCanceledException &&
          error.CancellationReasons?.[1]?.Code === 'ConditionalCheckFailed'
        ) {
          throw new AlreadyExists('creditCode');
        }
        if (conditionFailed(error)) throw new RevisionConflict('revision changed');
        throw error;
      }
      return stored;
    },

    getHead: (code: string) => get<MatterHead>(`MATTER#${code}`, 'HEAD'),
    getVersion: (code: string, version: number) => get<MatterVersion>(`MATTER#${code}`, versionSk(version)),

    /** Published matters, all or by window; or every matter of a department (drafts too). */
    listMatterHeads(
      scope:
        | { kind: 'all' }
        | { kind: 'window'; windowId: string }
        | { kind: 'department'; departmentId: string },
      limit: number,
      cursor?: Record<string, unknown>,
    ): Promise<Page<MatterHead>> {
      const [indexName, keyName, keyValue] =
        scope.kind === 'all'
          ? ['gsi1', 'gsi1pk', 'MATTERS']
          : scope.kind === 'window'
            ? ['gsi3', 'gsi3pk', `WINDOW#${scope.windowId}`]
            : ['gsi2', 'gsi2pk', `DEPT#${scope.departmentId}`];
      const startKey = continuing(cursor, keyName, keyValue);
      return query<MatterHead>({
        IndexName: indexName,
        KeyConditionExpression: `${keyName} = :key`,
        ExpressionAttributeValues: { ':key': keyValue },
        Limit: limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      });
    },

    /** A new matter: its head and version 1 as a draft; the code must be new. */
    async createMatter(code: string, departmentId: string, guide: ServiceGuideContent, audit: Audit) {
      const head: MatterHead = {
        code,
        departmentId,
        draft: { version: 1, revision: 1 },
        latestVersion: 1,
        revision: 1,
      };
      const version: MatterVersion = {
        code,
        version: 1,
        status: 'draft',
        guide,
        revision: 1,
        createdAt: audit.at,
        createdBy: audit.by,
        updatedAt: audit.at,
        updatedBy: audit.by,
      };
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { pk: `MATTER#${code}`, sk: 'HEAD', ...headIndexKeys(head), ...head },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              { Put: { TableName: tableName, Item: { pk: `MATTER#${code}`, sk: versionSk(1), ...version } } },
            ],
          }),
        );
      } catch (error) {
        if (conditionFailed(error)) throw new AlreadyExists('matter');
        throw error;
      }
      return { head, version };
    },

    /**
     * Saves the draft: replaces the open draft at `expectedRevision`, or opens the next version when there
     * is none and the caller expects revision 0. Two editors of one draft: exactly one wins.
     */
    async saveDraft(head: MatterHead, guide: ServiceGuideContent, expectedRevision: number, audit: Audit) {
      const opening = head.draft === undefined;
      if (opening !== (expectedRevision === 0)) throw new RevisionConflict('draft revision mismatch');
      const versionNumber = head.draft?.version ?? head.latestVersion + 1;
      const revision = expectedRevision + 1;
      const previous = opening ? undefined : await this.getVersion(head.code, versionNumber);
      const version: MatterVersion = {
        code: head.code,
        version: versionNumber,
        status: 'draft',
        guide,
        revision,
        createdAt: previous?.createdAt ?? audit.at,
        createdBy: previous?.createdBy ?? audit.by,
        updatedAt: audit.at,
        updatedBy: audit.by,
      };
      const nextHead: MatterHead = {
        ...head,
        draft: { version: versionNumber, revision },
        latestVersion: Math.max(head.latestVersion, versionNumber),
        revision: head.revision + 1,
      };
      await transact([
        replaceHead(head, nextHead),
        {
          Put: {
            TableName: tableName,
            Item: { pk: `MATTER#${head.code}`, sk: versionSk(versionNumber), ...version },
            ...(opening
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: '#status = :draft AND revision = :expected',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':draft': 'draft', ':expected': expectedRevision },
                }),
          },
        },
      ]);
      return { head: nextHead, version };
    },

    /** Publishes the open draft at `expectedRevision` and moves the version pointers as planned. */
    async publishDraft(
      head: MatterHead,
      draft: MatterVersion,
      expectedRevision: number,
      pointers: VersionPointers,
      snapshot: PublishedSnapshot,
      audit: Audit,
    ) {
      const { draft: _closed, current: _c, scheduled: _s, ...rest } = head;
      const nextHead: MatterHead = { ...rest, ...pointers, revision: head.revision + 1 };
      const published: MatterVersion = {
        ...draft,
        status: 'published',
        revision: expectedRevision + 1,
        validFrom: snapshot.validFrom,
        publishedAt: audit.at,
        publishedBy: audit.by,
      };
      await transact([
        replaceHead(head, nextHead),
        {
          Put: {
            TableName: tableName,
            Item: { pk: `MATTER#${head.code}`, sk: versionSk(draft.version), ...published },
            ConditionExpression: '#status = :draft AND revision = :expected',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':draft': 'draft', ':expected': expectedRevision },
          },
        },
      ]);
      return { head: nextHead, version: published };
    },

    async assignMatter(head: MatterHead, assignment: WindowAssignment) {
      const nextHead: MatterHead = { ...head, assignment, revision: head.revision + 1 };
      await transact([replaceHead(head, nextHead)]);
      return nextHead;
    },

    getFile: (code: string, fileId: string) => get<CatalogueFile>(`MATTER#${code}`, `FILE#${fileId}`),

    async putFile(file: CatalogueFile) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: `MATTER#${file.code}`, sk: `FILE#${file.fileId}`, ...file },
        }),
      );
    },
  };
}

export type CatalogueStore = ReturnType<typeof dynamoCatalogueStore>;
