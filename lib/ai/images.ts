/**
 * Image parts arrive as OpenAI `image_url` URLs: either a remote `http(s)` URL or a
 * `data:image/<type>;base64,<data>` URL. Providers want one or the other in their own shape; these
 * helpers split a data URL without copying the payload more than once.
 */

/** Image media types every provider we translate to accepts. */
export const IMAGE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;
/** One of {@link IMAGE_MEDIA_TYPES}. */
export type ImageMediaType = (typeof IMAGE_MEDIA_TYPES)[number];

/** What {@link parseImageUrl} found. */
export type ParsedImageUrl =
  | { kind: 'base64'; mediaType: ImageMediaType; data: string }
  | { kind: 'url'; url: string }
  | { kind: 'invalid'; reason: string };

const DATA_URL = /^data:(image\/[a-z0-9.+-]+);base64,/i;

/**
 * Classifies an image URL.
 *
 * @returns `base64` with the media type and payload (not decoded), `url` for http(s), or `invalid`
 *   with a caller-safe reason (unsupported media type, not base64, other scheme).
 */
export function parseImageUrl(url: string): ParsedImageUrl {
  const match = DATA_URL.exec(url);
  if (match) {
    const mediaType = (match[1] ?? '').toLowerCase().replace('image/jpg', 'image/jpeg');
    if (!(IMAGE_MEDIA_TYPES as readonly string[]).includes(mediaType)) {
      return { kind: 'invalid', reason: `image type ${mediaType} is not supported (jpeg, png, gif, webp)` };
    }
    const data = url.slice(match[0].length);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length === 0) {
      return { kind: 'invalid', reason: 'the image data URL is not valid base64' };
    }
    return { kind: 'base64', mediaType: mediaType as ImageMediaType, data };
  }
  if (/^https?:\/\//i.test(url)) return { kind: 'url', url };
  return { kind: 'invalid', reason: 'an image must be an http(s) URL or a base64 data URL' };
}

/** Builds a data URL from a media type and base64 payload. */
export function toDataUrl(mediaType: string, base64: string): string {
  return `data:${mediaType};base64,${base64}`;
}
