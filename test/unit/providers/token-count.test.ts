import { describe, expect, it } from 'vitest';
import { imageDimensions } from '../../../lib/ai/token-count/image-dimensions.js';
import { openAIImageTokens } from '../../../lib/ai/token-count/openai-image-tokens.js';
import { pngBase64 } from '../../support/images.js';

const b64 = (bytes: number[] | Buffer) => Buffer.from(bytes).toString('base64');

const png = (width: number, height: number) => pngBase64(width, height);

function jpeg(width: number, height: number): string {
  const app0 = [0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const sof0 = [0xff, 0xc0, 0x00, 0x11, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3];
  return b64([0xff, 0xd8, ...app0, 0xff, 0xff, ...sof0, ...new Array(9).fill(0)]);
}

function webp(chunk: 'VP8X' | 'VP8L', width: number, height: number): string {
  const b = Buffer.alloc(32);
  b.write('RIFF', 0, 'latin1');
  b.write('WEBP', 8, 'latin1');
  b.write(chunk, 12, 'latin1');
  if (chunk === 'VP8X') {
    b.writeUIntLE(width - 1, 24, 3);
    b.writeUIntLE(height - 1, 27, 3);
  } else {
    b[20] = 0x2f;
    b.writeUInt32LE(((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14), 21);
  }
  return b64(b);
}

describe('token counting: image sizes read from headers', () => {
  it('reads PNG, JPEG, GIF and WebP (VP8X, VP8L) sizes', () => {
    expect(imageDimensions('image/png', png(800, 600))).toEqual({ width: 800, height: 600 });
    expect(imageDimensions('image/jpeg', jpeg(1920, 1080))).toEqual({ width: 1920, height: 1080 });
    const gif = Buffer.from('GIF89a\0\0\0\0', 'latin1');
    gif.writeUInt16LE(320, 6);
    gif.writeUInt16LE(200, 8);
    expect(imageDimensions('image/gif', b64(gif))).toEqual({ width: 320, height: 200 });
    expect(imageDimensions('image/webp', webp('VP8X', 4000, 3000))).toEqual({ width: 4000, height: 3000 });
    expect(imageDimensions('image/webp', webp('VP8L', 640, 480))).toEqual({ width: 640, height: 480 });
  });

  it('answers undefined for a header it cannot read (truncated, or not the media type)', () => {
    expect(imageDimensions('image/png', jpeg(10, 10))).toBeUndefined();
    expect(imageDimensions('image/jpeg', b64([0xff, 0xd8, 0xff]))).toBeUndefined();
    expect(imageDimensions('image/webp', 'AAAA')).toBeUndefined();
  });
});

describe("token counting: OpenAI's image rules", () => {
  it("matches the vision guide's tile examples", () => {
    expect(openAIImageTokens('gpt-4o', { width: 1024, height: 1024 }, 'high')).toBe(765);
    expect(openAIImageTokens('gpt-4o', { width: 2048, height: 4096 }, undefined)).toBe(1105);
    expect(openAIImageTokens('gpt-4o', { width: 4096, height: 8192 }, 'low')).toBe(85);
    expect(openAIImageTokens('gpt-4o-mini', { width: 1024, height: 1024 }, 'auto')).toBe(2833 + 4 * 5667);
    expect(openAIImageTokens('o3', { width: 512, height: 512 }, 'high')).toBe(75 + 150);
  });

  it("matches the vision guide's patch examples, times the model's multiplier", () => {
    expect(openAIImageTokens('gpt-4.1-mini', { width: 1024, height: 1024 }, 'low')).toBe(
      Math.round(1024 * 1.62),
    );
    // 1800×2400 is scaled to fit 1536 patches: 33 × 44 = 1452.
    expect(openAIImageTokens('gpt-4.1-nano', { width: 1800, height: 2400 }, undefined)).toBe(
      Math.round(1452 * 2.46),
    );
  });

  it('counts an image of unknown size at the most one image can cost', () => {
    expect(openAIImageTokens('gpt-4o', undefined, 'high')).toBe(85 + 8 * 170);
    expect(openAIImageTokens('o4-mini', undefined, undefined)).toBe(Math.round(1536 * 1.72));
  });
});
