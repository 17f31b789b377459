/**
 * A `multipart/form-data` body (RFC 7578) for uploads to providers (audio transcription). Built by
 * hand so the bytes are exact and no global `FormData`/`Blob` behaviour differs between Node lines.
 */
import { randomBytes } from 'node:crypto';

/** One file part. */
export interface MultipartFile {
  name: string;
  filename: string;
  contentType: string;
  data: Uint8Array;
}

/** Field names, filenames and types lose quotes, backslashes and line breaks (they cannot forge parts). */
function safe(text: string): string {
  return text.replace(/["\\\r\n]/g, '_');
}

/**
 * Serializes text fields and files.
 *
 * @returns the body and its `content-type` (with the boundary).
 */
export function buildMultipart(
  fields: Record<string, string>,
  files: readonly MultipartFile[],
): { body: Uint8Array; contentType: string } {
  const boundary = `----gateway${randomBytes(12).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="${safe(name)}"\r\n\r\n${value}\r\n`,
      ),
    );
  }
  for (const file of files) {
    const head =
      `--${boundary}\r\ncontent-disposition: form-data; name="${safe(file.name)}"; filename="${safe(file.filename)}"\r\n` +
      `content-type: ${safe(file.contentType)}\r\n\r\n`;
    parts.push(Buffer.from(head), Buffer.from(file.data), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
