/**
 * Embedding vectors travel as JSON floats or, with `encoding_format: "base64"`, as base64 of their
 * little-endian float32 bytes (what OpenAI returns and the OpenAI SDK requests by default). Providers
 * that only return floats are converted here, so every provider honours both formats.
 */

/** Encodes floats as base64 of little-endian float32. */
export function floatsToBase64(values: readonly number[]): string {
  const bytes = Buffer.alloc(values.length * 4);
  for (const [index, value] of values.entries()) bytes.writeFloatLE(value, index * 4);
  return bytes.toString('base64');
}

/**
 * Decodes base64 float32 (little-endian).
 *
 * @returns the floats, or `undefined` when the text is not base64 of a whole number of floats.
 */
export function base64ToFloats(text: string): number[] | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4 !== 0) return undefined;
  const out: number[] = [];
  for (let offset = 0; offset < bytes.length; offset += 4) out.push(bytes.readFloatLE(offset));
  return out;
}

/** A vector of finite numbers (what every provider must return), or `undefined`. */
export function asVector(value: unknown): number[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.every((item) => typeof item === 'number' && Number.isFinite(item))
    ? (value as number[])
    : undefined;
}

/**
 * Converts one upstream vector (floats or base64) into the caller's `encoding_format`.
 *
 * @returns the encoded embedding, or `undefined` when the upstream value is neither form.
 */
export function encodeEmbedding(value: unknown, format: 'float' | 'base64'): number[] | string | undefined {
  if (typeof value === 'string') {
    const floats = base64ToFloats(value);
    if (floats === undefined || floats.length === 0) return undefined;
    return format === 'base64' ? value : floats;
  }
  const floats = asVector(value);
  if (floats === undefined) return undefined;
  return format === 'base64' ? floatsToBase64(floats) : floats;
}

/** Input of an embeddings request, as the schema accepts it. */
export type EmbeddingsInput = string | string[] | number[] | number[][];

/** How many vectors a request asks for (a token array is one input). */
export function inputCount(input: EmbeddingsInput): number {
  if (typeof input === 'string') return 1;
  return typeof input[0] === 'number' ? 1 : input.length;
}

/**
 * The inputs as texts, for providers that take no token arrays.
 *
 * @returns the texts, or `undefined` when the input is token ids.
 */
export function textInputs(input: EmbeddingsInput): string[] | undefined {
  if (typeof input === 'string') return [input];
  return input.every((item): item is string => typeof item === 'string') ? input : undefined;
}
