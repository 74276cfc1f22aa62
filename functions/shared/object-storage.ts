import { createHash } from 'node:crypto';
import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type DetectedFileType, uploadIssues } from '../domain/file-type';
import { ConflictError, type FieldIssue } from './errors';

/**
 * Objects uploaded by browsers: a short-lived presigned PUT (content type and length signed in), and
 * the server-side reading that decides whether an upload counts: its real size, its first bytes (for the
 * type) and its sha256, streamed so that a large file is never held in memory.
 */
export interface UploadUrl {
  url: string;
  expiresAt: string;
  headers: Record<string, string>;
}

export interface ObjectFacts {
  size: number;
  sha256: string;
  head: Uint8Array;
}

export class ObjectMissing extends Error {
  override readonly name = 'ObjectMissing';
}

export function objectStorage(s3: S3Client, bucket: string, now: () => number) {
  return {
    async uploadUrl(
      key: string,
      contentType: string,
      size: number,
      expiresInSeconds = 300,
    ): Promise<UploadUrl> {
      const url = await getSignedUrl(
        s3,
        new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType, ContentLength: size }),
        { expiresIn: expiresInSeconds, signableHeaders: new Set(['content-type', 'content-length']) },
      );
      return {
        url,
        expiresAt: new Date(now() + expiresInSeconds * 1000).toISOString(),
        headers: { 'content-type': contentType, 'content-length': String(size) },
      };
    },

    /** Writes a file the service made itself (a rendered document). */
    async put(key: string, body: Uint8Array, contentType: string) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    },

    /**
     * Copies an upload to a key no upload URL was ever issued for, inside the bucket: what is checked
     * afterwards is what stays. Returns the copy's version where the bucket keeps versions (in AWS).
     */
    async pin(sourceKey: string, targetKey: string): Promise<{ versionId?: string }> {
      try {
        const copied = await s3.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: targetKey,
            CopySource: `${bucket}/${sourceKey.split('/').map(encodeURIComponent).join('/')}`,
          }),
        );
        return copied.VersionId ? { versionId: copied.VersionId } : {};
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404 || (error as Error).name === 'NoSuchKey') throw new ObjectMissing(sourceKey);
        throw error;
      }
    },

    async downloadUrl(key: string, fileName: string, expiresInSeconds = 300, versionId?: string) {
      const url = await getSignedUrl(
        s3,
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ...(versionId ? { VersionId: versionId } : {}),
          ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`,
        }),
        { expiresIn: expiresInSeconds },
      );
      return { url, expiresAt: new Date(now() + expiresInSeconds * 1000).toISOString() };
    },

    /** Reads the object once: size, sha256 and its first 512 bytes; stops past `maxBytes`. */
    async inspect(key: string, maxBytes: number, versionId?: string): Promise<ObjectFacts> {
      let body: AsyncIterable<Uint8Array>;
      try {
        const object = await s3.send(
          new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
        );
        body = object.Body as AsyncIterable<Uint8Array>;
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404 || (error as Error).name === 'NoSuchKey') throw new ObjectMissing(key);
        throw error;
      }
      const hash = createHash('sha256');
      const head: Buffer[] = [];
      let headBytes = 0;
      let size = 0;
      for await (const chunk of body) {
        size += chunk.byteLength;
        if (size > maxBytes) break;
        hash.update(chunk);
        if (headBytes < 512) {
          head.push(Buffer.from(chunk.subarray(0, 512 - headBytes)));
          headBytes += Math.min(chunk.byteLength, 512 - headBytes);
        }
      }
      return { size, sha256: hash.digest('hex'), head: Buffer.concat(head) };
    },
  };
}

export type ObjectStorage = ReturnType<typeof objectStorage>;

/**
 * Reads an upload for the checks that decide whether it counts; one not yet uploaded is a 409.
 * Returns what was read and everything wrong with it against the declaration.
 */
export async function readUpload(
  files: ObjectStorage,
  key: string,
  declared: { size: number; contentType: DetectedFileType },
  maxBytes: number,
  versionId?: string,
): Promise<{ facts: ObjectFacts; issues: FieldIssue[] }> {
  try {
    const facts = await files.inspect(key, maxBytes, versionId);
    return { facts, issues: uploadIssues(facts, declared, maxBytes) };
  } catch (error) {
    if (error instanceof ObjectMissing) throw new ConflictError('文件尚未上传', 'FILE_NOT_UPLOADED', { key });
    throw error;
  }
}
