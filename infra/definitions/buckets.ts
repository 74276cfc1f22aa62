/**
 * The S3 buckets the functions use. The stateful stack builds them (KMS-encrypted, private, versioned)
 * and the local stack creates buckets of the same logical ids in the S3 stand-in.
 */
export type BucketId = 'materials' | 'results' | 'catalogue';

export interface BucketDefinition {
  id: BucketId;
  description: string;
  /** Presigned uploads from browsers need CORS for PUT. */
  browserUploads: boolean;
}

export const bucketDefinitions: Record<BucketId, BucketDefinition> = {
  materials: {
    id: 'materials',
    description: 'Application materials (申请材料) uploaded by presigned PUT',
    browserUploads: true,
  },
  results: {
    id: 'results',
    description:
      'Result documents (结果文书) and notices; departments upload signed results by presigned PUT',
    browserUploads: true,
  },
  catalogue: {
    id: 'catalogue',
    description:
      'Blank forms and samples of the service guides (空白表格、示例样表), served by short-lived URLs',
    browserUploads: true,
  },
};

export const bucketEnvName = (id: BucketId): string => `${id.toUpperCase()}_BUCKET`;

export const bucketIds = Object.keys(bucketDefinitions) as BucketId[];
