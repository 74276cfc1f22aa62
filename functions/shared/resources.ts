import * as z from 'zod';
import { type BucketId, bucketEnvName } from '../../infra/definitions/buckets';
import { type TableId, tableEnvName } from '../../infra/definitions/tables';
import { parseEnv } from './env';

/**
 * Physical names of the tables and buckets, passed by CDK (or the local stack) in the environment under
 * the names the definitions give; read at init, failing fast with the variable's name.
 */
const named = (variable: string): string =>
  (parseEnv(z.object({ [variable]: z.string().min(1) })) as Record<string, string>)[variable] as string;

export const tableName = (id: TableId): string => named(tableEnvName(id));

export const bucketName = (id: BucketId): string => named(bucketEnvName(id));
