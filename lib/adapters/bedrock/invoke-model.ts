/**
 * One Bedrock `InvokeModel` call with a JSON body (embeddings, image generation) and the armed
 * budget around a whole operation: the model family's native body in, its parsed JSON answer out,
 * bounded in size, with the input token count Bedrock reports in `x-amzn-bedrock-input-token-count`.
 */
import { tryParseJson } from '../../ai/read.js';
import { tokenCount } from '../../ai/usage.js';
import { armBudget } from '../../upstream/budget.js';
import { badUpstreamResponse } from '../../upstream/errors.js';
import type { CallContext } from '../contract.js';
import { checkEndpoint } from './chat.js';
import { bedrockClient, bedrockSdk } from './client.js';
import { bedrockError } from './errors.js';

const PROVIDER = 'bedrock';

/** A model id without its cross-region inference profile prefix (`us.`, `eu.`, `apac.`, `global.`). */
export function bareModelId(modelId: string): string {
  return modelId.replace(/^(?:us|eu|apac|us-gov|global)\./, '');
}

/** A parsed InvokeModel answer and the input tokens Bedrock counted (when it says). */
export interface Invoked {
  body: unknown;
  inputTokens: number | undefined;
}

/**
 * Invokes `ctx.model` with a JSON body.
 *
 * @param maxBytes - largest answer accepted (a bigger one is a `bad_upstream_response`).
 * @throws UpstreamError `bad_upstream_response` for an oversized or non-JSON answer or a bad count;
 *   SDK errors are thrown as the SDK raised them (the caller maps them with {@link withBudget}).
 */
export async function invokeModelJson(
  ctx: CallContext,
  body: unknown,
  options: { signal: AbortSignal; maxBytes: number },
): Promise<Invoked> {
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
  const output = await client.send(command, { abortSignal: options.signal });
  if (output.body.length > options.maxBytes)
    throw badUpstreamResponse(PROVIDER, 'bedrock sent an oversized answer');
  const parsed = tryParseJson(new TextDecoder().decode(output.body));
  if (parsed === undefined) throw badUpstreamResponse(PROVIDER, 'bedrock sent an answer that is not JSON');
  const count =
    header !== undefined && /^\d+$/.test(header)
      ? Number(header)
      : header === undefined
        ? undefined
        : Number.NaN;
  return { body: parsed, inputTokens: tokenCount(count, 'x-amzn-bedrock-input-token-count', PROVIDER) };
}

/**
 * Runs a buffered Bedrock operation under the call's budget: the endpoint is checked, `work` gets
 * the budget's abort signal, and whatever it throws becomes an `UpstreamError`.
 */
export async function withBudget<T>(ctx: CallContext, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const budget = armBudget(ctx.budget, PROVIDER, 'buffered', ctx.deps.now());
  checkEndpoint(ctx, budget);
  try {
    return await work(budget.signal);
  } catch (error) {
    throw bedrockError(error, budget, { now: ctx.deps.now(), secrets: [ctx.credential.value] });
  } finally {
    budget.dispose();
  }
}
