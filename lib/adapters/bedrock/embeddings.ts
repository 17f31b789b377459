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
import { arr, field, path, tryParseJson } from '../../ai/read.js';
import type { EmbeddingsRequest } from '../../ai/types.js';
import { tokenCount, usageFrom } from '../../ai/usage.js';
import { armBudget } from '../../upstream/budget.js';
import { badUpstreamResponse, unsupported } from '../../upstream/errors.js';
import type { CallContext, EmbeddingsResult } from '../contract.js';
import { metadataString } from '../credentials.js';
import { checkEndpoint } from './chat.js';
import { bedrockClient, bedrockSdk } from './client.js';
import { bedrockError } from './errors.js';

const PROVIDER = 'bedrock';
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const TITAN_CONCURRENCY = 4;
const COHERE_MAX_TEXTS = 96;

interface Invoked {
  body: unknown;
  inputTokens: number | undefined;
}

/** The model family, ignoring a cross-region inference profile prefix. */
export function embeddingFamily(modelId: string): 'titan' | 'cohere' | undefined {
  const bare = modelId.replace(/^(?:us|eu|apac|us-gov|global)\./, '');
  if (bare.startsWith('amazon.titan-embed')) return 'titan';
  if (bare.startsWith('cohere.embed')) return 'cohere';
  return undefined;
}

async function invoke(ctx: CallContext, body: unknown, signal: AbortSignal): Promise<Invoked> {
  const { InvokeModelCommand } = await bedrockSdk();
  const command = new InvokeModelCommand({
    modelId: ctx.model,
    contentType: 'application/json',
    accept: 'application/json',
    body: new TextEncoder().encode(JSON.stringify(body)),
  });
  let header: string | undefined;
  command.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const headers = (result.response as { headers?: Record<string, string> }).headers ?? {};
      header = headers['x-amzn-bedrock-input-token-count'];
      return result;
    },
    { step: 'deserialize', name: 'gatewayCaptureTokenCount' },
  );
  const client = await bedrockClient(ctx);
  const output = await client.send(command, { abortSignal: signal });
  if (output.body.length > MAX_BODY_BYTES)
    throw badUpstreamResponse(PROVIDER, 'bedrock sent an oversized embeddings body');
  const parsed = tryParseJson(new TextDecoder().decode(output.body));
  if (parsed === undefined)
    throw badUpstreamResponse(PROVIDER, 'bedrock sent an embeddings body that is not JSON');
  const count =
    header !== undefined && /^\d+$/.test(header)
      ? Number(header)
      : header === undefined
        ? undefined
        : Number.NaN;
  return { body: parsed, inputTokens: tokenCount(count, 'x-amzn-bedrock-input-token-count', PROVIDER) };
}

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
  const budget = armBudget(ctx.budget, PROVIDER, 'buffered', ctx.deps.now());
  checkEndpoint(ctx, budget);
  try {
    const { vectors, usage } = await (family === 'titan' ? titan : cohere)(
      ctx,
      texts,
      request,
      budget.signal,
    );
    const response = embeddingsResponse({
      provider: PROVIDER,
      model: ctx.model,
      vectors,
      expected: inputCount(request.input),
      format: request.encoding_format ?? 'float',
      usage,
    });
    return { response, usage };
  } catch (error) {
    throw bedrockError(error, budget, { now: ctx.deps.now(), secrets: [ctx.credential.value] });
  } finally {
    budget.dispose();
  }
}
