/**
 * Bedrock embeddings through InvokeModel, by model family (an inference-profile prefix such as `us.`
 * is ignored):
 *
 * - `amazon.titan-embed-*`: one text per call (`{inputText, dimensions?, normalize}` →
 *   `{embedding, inputTextTokenCount}`), at most 4 calls in flight; usage is the sum of the counts.
 * - `cohere.embed-*`: one call (`{texts, input_type, embedding_types}` → `{embeddings}`), at most 96
 *   texts; usage from the `x-amzn-bedrock-input-token-count` response header.
 */
import { inputCount, textInputs } from '../../ai/embedding-encoding.js';
import { embeddingsResponse } from '../../ai/embeddings-response.js';
import { arr, field, path } from '../../ai/read.js';
import type { EmbeddingsRequest } from '../../ai/types.js';
import { tokenCount, usageFrom } from '../../ai/usage.js';
import { unsupported } from '../../upstream/errors.js';
import type { CallContext, EmbeddingsResult } from '../contract.js';
import { metadataString } from '../credentials.js';
import { bareModelId, type Invoked, invokeModelJson, withBudget } from './invoke-model.js';

const PROVIDER = 'bedrock';
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const TITAN_CONCURRENCY = 4;
const COHERE_MAX_TEXTS = 96;

/** The model family, ignoring a cross-region inference profile prefix. */
export function embeddingFamily(modelId: string): 'titan' | 'cohere' | undefined {
  const bare = bareModelId(modelId);
  if (bare.startsWith('amazon.titan-embed')) return 'titan';
  if (bare.startsWith('cohere.embed')) return 'cohere';
  return undefined;
}

const invoke = (ctx: CallContext, body: unknown, signal: AbortSignal) =>
  invokeModelJson(ctx, body, { signal, maxBytes: MAX_BODY_BYTES });

async function titan(ctx: CallContext, texts: string[], request: EmbeddingsRequest, signal: AbortSignal) {
  const v2 = !ctx.model.includes('titan-embed-text-v1') && !ctx.model.includes('titan-embed-image');
  const results: Invoked[] = new Array(texts.length);
  let next = 0;
  const worker = async () => {
    while (next < texts.length) {
      const index = next++;
      const body = v2
        ? {
            inputText: texts[index],
            normalize: true,
            ...(request.dimensions ? { dimensions: request.dimensions } : {}),
          }
        : { inputText: texts[index] };
      results[index] = await invoke(ctx, body, signal);
    }
  };
  await Promise.all(Array.from({ length: Math.min(TITAN_CONCURRENCY, texts.length) }, worker));
  const vectors = results.map((r) => field(r.body, 'embedding'));
  const counts = results.map(
    (r) => tokenCount(field(r.body, 'inputTextTokenCount'), 'inputTextTokenCount', PROVIDER) ?? r.inputTokens,
  );
  const reported = counts.every((c) => c !== undefined);
  return {
    vectors,
    usage: reported ? usageFrom({ input: counts.reduce<number>((a, c) => a + (c ?? 0), 0) }) : null,
  };
}

async function cohere(ctx: CallContext, texts: string[], request: EmbeddingsRequest, signal: AbortSignal) {
  if (texts.length > COHERE_MAX_TEXTS)
    throw unsupported(PROVIDER, `cohere on bedrock embeds at most ${COHERE_MAX_TEXTS} inputs per call`);
  const result = await invoke(
    ctx,
    {
      texts,
      input_type: request.input_type ?? metadataString(ctx, 'embed_input_type') ?? 'search_document',
      embedding_types: ['float'],
      ...(request.dimensions ? { output_dimension: request.dimensions } : {}),
    },
    signal,
  );
  const vectors = arr(path(result.body, 'embeddings', 'float')) ?? arr(path(result.body, 'embeddings')) ?? [];
  return {
    vectors,
    usage: result.inputTokens === undefined ? null : usageFrom({ input: result.inputTokens }),
  };
}

/** Embeddings for a canonical request. */
export async function bedrockEmbeddings(
  ctx: CallContext,
  request: EmbeddingsRequest,
): Promise<EmbeddingsResult> {
  const family = embeddingFamily(ctx.model);
  if (family === undefined)
    throw unsupported(
      PROVIDER,
      `bedrock embeddings support Titan and Cohere embedding models, not ${ctx.model}`,
    );
  const texts = textInputs(request.input);
  if (texts === undefined) throw unsupported(PROVIDER, 'bedrock embeds text, not token arrays');
  return withBudget(ctx, async (signal) => {
    const { vectors, usage } = await (family === 'titan' ? titan : cohere)(ctx, texts, request, signal);
    const response = embeddingsResponse({
      provider: PROVIDER,
      model: ctx.model,
      vectors,
      expected: inputCount(request.input),
      format: request.encoding_format ?? 'float',
      usage,
    });
    return { response, usage };
  });
}
