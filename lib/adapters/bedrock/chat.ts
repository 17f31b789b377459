/**
 * Bedrock chat through the AWS SDK: Converse for complete answers, ConverseStream for streams.
 * Budgets are enforced around the SDK: the call's abort signal carries the deadline, a timer bounds
 * the wait for the stream to open, and each event read races the idle timer.
 */
import type { ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import type { ChatCompletionChunk, ChatCompletionRequest } from '../../ai/types.js';
import { assertConnectTarget } from '../../net/upstream-address.js';
import { type ArmedBudget, armBudget, timeoutError } from '../../upstream/budget.js';
import { badUpstreamResponse } from '../../upstream/errors.js';
import { normalizeTransportError } from '../../upstream/transport-errors.js';
import type { AdapterChatStream, CallContext, ChatOperation, ChatResult } from '../contract.js';
import { bedrockClient, bedrockSdk } from './client.js';
import { bedrockError } from './errors.js';
import { converseInput } from './request.js';
import { converseResponse } from './response.js';
import { BedrockStreamMapper, IDLE, raceIdle } from './stream.js';

const PROVIDER = 'bedrock';

/** Refuses an endpoint override that is a refused IP literal (names are checked by the lookup). */
export function checkEndpoint(ctx: CallContext, budget?: ArmedBudget): void {
  if (ctx.baseUrl === undefined) return;
  try {
    assertConnectTarget(ctx.baseUrl.hostname, ctx.deps.policy);
  } catch (error) {
    budget?.dispose();
    throw normalizeTransportError(error, PROVIDER, undefined, 'connect');
  }
}

function fail(ctx: CallContext, error: unknown, budget: ArmedBudget, phase: 'connect' | 'body' = 'connect') {
  return bedrockError(error, budget, { now: ctx.deps.now(), secrets: [ctx.credential.value], phase });
}

async function complete(ctx: CallContext, request: ChatCompletionRequest): Promise<ChatResult> {
  const input = converseInput(ctx.model, request);
  const budget = armBudget(ctx.budget, PROVIDER, 'buffered', ctx.deps.now());
  checkEndpoint(ctx, budget);
  try {
    const { ConverseCommand } = await bedrockSdk();
    const client = await bedrockClient(ctx);
    const output = await client.send(new ConverseCommand(input), { abortSignal: budget.signal });
    return converseResponse(ctx, output);
  } catch (error) {
    throw fail(ctx, error, budget);
  } finally {
    budget.dispose();
  }
}

interface StreamState {
  mapper: BedrockStreamMapper;
  budget: ArmedBudget;
  abort: AbortController;
}

async function* readEvents(
  ctx: CallContext,
  events: AsyncIterable<ConverseStreamOutput>,
  { mapper, budget, abort }: StreamState,
): AsyncGenerator<ChatCompletionChunk, void> {
  const iterator = events[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await raceIdle(iterator.next(), budget.idleTimeoutMs, () => abort.abort());
      if (next === IDLE) throw timeoutError(PROVIDER, budget.idleTimeoutMs);
      if (next.done) break;
      yield* mapper.map(next.value);
      if (mapper.done()) return;
    }
    yield* mapper.end();
  } catch (error) {
    throw fail(ctx, error, budget, 'body');
  } finally {
    abort.abort();
    budget.dispose();
  }
}

async function stream(ctx: CallContext, request: ChatCompletionRequest): Promise<AdapterChatStream> {
  const input = converseInput(ctx.model, request);
  const budget = armBudget(ctx.budget, PROVIDER, 'stream', ctx.deps.now());
  checkEndpoint(ctx, budget);
  const abort = new AbortController();
  const signal = AbortSignal.any([budget.signal, abort.signal]);
  let events: AsyncIterable<ConverseStreamOutput> | undefined;
  try {
    const { ConverseStreamCommand } = await bedrockSdk();
    const client = await bedrockClient(ctx);
    const sent = client.send(new ConverseStreamCommand(input), { abortSignal: signal });
    const output = await raceIdle(sent, budget.headersTimeoutMs, () => abort.abort());
    if (output === IDLE) throw timeoutError(PROVIDER, budget.headersTimeoutMs);
    events = output.stream;
  } catch (error) {
    budget.dispose();
    throw fail(ctx, error, budget);
  }
  if (events === undefined) {
    budget.dispose();
    throw badUpstreamResponse(PROVIDER, 'bedrock answered ConverseStream without an event stream');
  }
  const mapper = new BedrockStreamMapper(ctx);
  return { chunks: readEvents(ctx, events, { mapper, budget, abort }), usage: () => mapper.usage() };
}

/** Bedrock chat: Converse and ConverseStream. */
export const bedrockChat: ChatOperation = { complete, stream };
