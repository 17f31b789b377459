/**
 * Image headers for tests of image sizes and token rules: the bytes a reader of the size needs,
 * padded with zeros to `bytes` (the payload is never decoded).
 */

/** A PNG signature and IHDR chunk of `width` × `height`, as base64, padded to `bytes` bytes. */
export function pngBase64(width: number, height: number, bytes = 24): string {
  const b = Buffer.alloc(Math.max(24, bytes));
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b.toString('base64');
}
