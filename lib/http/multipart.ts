import { BadRequestError, PayloadTooLargeError } from '../errors.js';

/** One part of a `multipart/form-data` body. */
export interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

const MAX_PARTS = 32;
const MAX_HEADER_BYTES = 8 * 1024;

/** The boundary of a `multipart/form-data` content type, or undefined when it is not one. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return undefined;
  const match = contentType.match(/boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i);
  return match?.[1] ?? match?.[2];
}

function parseHeaders(block: string): { name: string; filename?: string; contentType?: string } {
  let name: string | undefined;
  let filename: string | undefined;
  let contentType: string | undefined;
  for (const line of block.split('\r\n')) {
    const [rawKey, ...rest] = line.split(':');
    const key = rawKey?.trim().toLowerCase();
    const value = rest.join(':').trim();
    if (key === 'content-disposition') {
      name = value.match(/\bname="([^"]{1,200})"/)?.[1];
      filename = value.match(/\bfilename="([^"]{0,255})"/)?.[1];
    } else if (key === 'content-type') {
      contentType = value.slice(0, 200);
    }
  }
  if (!name) throw new BadRequestError('A form part has no name.', { code: 'invalid_multipart' });
  return { name, ...(filename !== undefined ? { filename } : {}), ...(contentType ? { contentType } : {}) };
}

/**
 * Parses a `multipart/form-data` body (RFC 7578) into its parts, bounded in count, header size and
 * total size. Malformed input is a 400 `invalid_multipart`; nothing is evaluated or written.
 */
export function parseMultipart(body: Buffer, boundary: string, maxBytes: number): FormPart[] {
  if (body.length > maxBytes) throw new PayloadTooLargeError(maxBytes);
  const delimiter = Buffer.from(`--${boundary}`);
  const invalid = (why: string) =>
    new BadRequestError(`Malformed multipart body: ${why}.`, { code: 'invalid_multipart' });
  let at = body.indexOf(delimiter);
  if (at < 0) throw invalid('no boundary');
  const parts: FormPart[] = [];
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === '--') return parts;
    if (body.subarray(at, at + 2).toString() !== '\r\n') throw invalid('bad delimiter line');
    at += 2;
    const headerEnd = body.indexOf('\r\n\r\n', at);
    if (headerEnd < 0 || headerEnd - at > MAX_HEADER_BYTES) throw invalid('bad part headers');
    const headers = parseHeaders(body.subarray(at, headerEnd).toString('utf8'));
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw invalid('unterminated part');
    parts.push({ ...headers, data: body.subarray(headerEnd + 4, next) });
    if (parts.length > MAX_PARTS) throw invalid('too many parts');
    at = next + 2;
  }
}
