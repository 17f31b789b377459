/** Building the canonical embeddings answer from whatever vectors a provider returned. */
import { badUpstreamResponse } from '../upstream/errors.js';
import { encodeEmbedding } from './embedding-encoding.js';
import type { EmbeddingsResponse, ReportedUsage } from './types.js';

/**
 * Builds `{object: "list", data, model, usage}` from vectors in input order.
 *
 * @param vectors - one per input, floats or base64 float32.
 * @param expected - how many inputs were sent; a different count is a bad answer.
 * @throws UpstreamError `bad_upstream_response` on a missing, extra or malformed vector.
 */
export function embeddingsResponse(input: {
  provider: string;
  model: string;
  vectors: readonly unknown[];
  expected: number;
  format: 'float' | 'base64';
  usage: ReportedUsage;
}): EmbeddingsResponse {
  const { provider } = input;
  if (input.vectors.length !== input.expected) {
    throw badUpstreamResponse(
      provider,
      `${provider} returned ${input.vectors.length} embeddings for ${input.expected} inputs`,
    );
  }
  const data = input.vectors.map((vector, index) => {
    const embedding = encodeEmbedding(vector, input.format);
    if (embedding === undefined)
      throw badUpstreamResponse(provider, `${provider} returned a malformed embedding`);
    return { object: 'embedding' as const, index, embedding };
  });
  const tokens = input.usage?.input_tokens ?? 0;
  return { object: 'list', data, model: input.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
