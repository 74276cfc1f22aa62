/**
 * The type of an uploaded file, from its first bytes (never from the name or the declared type).
 * OFD (GB/T 33190) is a ZIP container; it is recognised when the ZIP holds OFD.xml near its start.
 */
export type DetectedFileType = 'application/pdf' | 'image/jpeg' | 'image/png' | 'application/ofd';

export function detectFileType(head: Uint8Array): DetectedFileType | undefined {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf'; // %PDF-
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0x50, 0x4b, 0x03, 0x04) && Buffer.from(head.subarray(0, 512)).includes('OFD.xml'))
    return 'application/ofd';
  return undefined;
}

/** What is wrong with an uploaded file, given its real size and first bytes and what the uploader declared. */
export function uploadIssues(
  actual: { size: number; head: Uint8Array },
  declared: { size: number; contentType: DetectedFileType },
  maxBytes: number,
): { field: string; message: string }[] {
  const issues: { field: string; message: string }[] = [];
  if (actual.size > maxBytes) {
    issues.push({ field: 'file', message: `文件超过 ${Math.round(maxBytes / 1024 / 1024)} MiB 上限` });
  } else if (actual.size !== declared.size) {
    issues.push({ field: 'file', message: `文件大小 ${actual.size} 与申报的 ${declared.size} 不符` });
  }
  if (detectFileType(actual.head) !== declared.contentType) {
    issues.push({ field: 'file', message: '文件内容与申报的类型不符' });
  }
  return issues;
}
