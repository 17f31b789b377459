/**
 * The pixel size of an inline (base64) image, read from its header without decoding the image: PNG
 * (IHDR), GIF (logical screen), WebP (VP8, VP8L, VP8X) and JPEG (the first start-of-frame marker).
 * Only a bounded prefix of the base64 text is decoded, so the cost does not grow with the image.
 */
import type { ImageSize } from '../generated-images.js';

/** Base64 characters decoded for a JPEG's markers (EXIF and ICC blocks can come before its frame). */
const JPEG_PREFIX_CHARS = 256 * 1024;
/** Base64 characters decoded for the fixed headers of PNG, GIF and WebP. */
const HEADER_PREFIX_CHARS = 64;

function prefix(base64: string, chars: number): Buffer {
  return Buffer.from(base64.slice(0, chars - (chars % 4)), 'base64');
}

function png(b: Buffer): ImageSize | undefined {
  if (b.length < 24 || b.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

function gif(b: Buffer): ImageSize | undefined {
  if (b.length < 10 || b.toString('latin1', 0, 4) !== 'GIF8') return undefined;
  return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
}

function webp(b: Buffer): ImageSize | undefined {
  if (b.length < 30 || b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WEBP')
    return undefined;
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = b.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
  return undefined;
}

/** Start-of-frame markers (C0–CF but C4 DHT, C8 JPG and CC DAC), which carry the frame size. */
const isStartOfFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

function jpeg(b: Buffer): ImageSize | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 3 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    if (isStartOfFrame(marker)) {
      if (i + 9 > b.length) return undefined;
      return { width: b.readUInt16BE(i + 7), height: b.readUInt16BE(i + 5) };
    }
    i += 2 + b.readUInt16BE(i + 2);
  }
  return undefined;
}

/**
 * The size of a base64 image of a given media type.
 *
 * @returns width and height in pixels, or `undefined` when the header cannot be read (truncated,
 *   another format than the media type says, or a frame beyond the first 192 KiB of a JPEG).
 */
export function imageDimensions(mediaType: string, base64: string): ImageSize | undefined {
  switch (mediaType) {
    case 'image/png':
      return png(prefix(base64, HEADER_PREFIX_CHARS));
    case 'image/gif':
      return gif(prefix(base64, HEADER_PREFIX_CHARS));
    case 'image/webp':
      return webp(prefix(base64, HEADER_PREFIX_CHARS));
    case 'image/jpeg':
      return jpeg(prefix(base64, JPEG_PREFIX_CHARS));
    default:
      return undefined;
  }
}
