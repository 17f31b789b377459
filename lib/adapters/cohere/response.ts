/**
 * Cohere v2 chat answer → canonical. Finish reasons: `COMPLETE`/`STOP_SEQUENCE` → `stop`,
 * `MAX_TOKENS` → `length`, `TOOL_CALL` → `tool_calls`, `ERROR_TOXIC` → `content_filter`. Usage is
 * what Cohere bills (`usage.billed_units`), falling back to `usage.tokens` when it reports no bill.
 */
import { makeCompletion } from '../../ai/chat-builders.js';
import { field, isObject, objects, path, str } from '../../ai/read.js';
import type { FinishReason, ToolCall } from '../../ai/types.js';
import { type NormalizedUsage, tokenCount, usageFrom } from '../../ai/usage.js';
import { badUpstreamResponse } from '../../upstream/errors.js';
import type { CallContext, ChatResult } from '../contract.js';

const PROVIDER = 'cohere';

const FINISH: Record<string, FinishReason> = {
  COMPLETE: 'stop',
  STOP_SEQUENCE: 'stop',
  MAX_TOKENS: 'length',
  ERROR_LIMIT: 'length',
  TOOL_CALL: 'tool_calls',
  ERROR_TOXIC: 'content_filter',
};

/** Cohere `finish_reason` → OpenAI (unknown reasons become `stop`). */
export function cohereFinish(reason: unknown): FinishReason {
  return FINISH[str(reason) ?? ''] ?? 'stop';
}

/**
 * Reads Cohere usage (`null` when absent). Cohere reports three things: `billed_units` (what it
 * charges), `tokens` (what the model processed, its own system preamble included) and
 * `cached_tokens` (the cached part of `tokens`). The billed units are counted and priced; they
 * carry no cache discount, so none of them is counted as cached. Only when Cohere reports no bill
 * are the model's tokens counted, with their cached part. Every number is validated either way,
 * and a cached count larger than the billed input (448 of 8 in one recording) is an accounting
 * difference, not an error.
 */
export function readCohereUsage(usage: unknown): NormalizedUsage | null {
  if (!isObject(usage)) return null;
  const count = (value: unknown, name: string) => tokenCount(value, name, PROVIDER);
  const billed = field(usage, 'billed_units');
  const tokens = field(usage, 'tokens');
  const used = {
    input: count(field(tokens, 'input_tokens'), 'input_tokens'),
    output: count(field(tokens, 'output_tokens'), 'output_tokens'),
  };
  const cached = count(usage.cached_tokens, 'cached_tokens');
  const billedInput = count(field(billed, 'input_tokens'), 'billed_units.input_tokens');
  const billedOutput = count(field(billed, 'output_tokens'), 'billed_units.output_tokens');
  if (billedInput !== undefined || billedOutput !== undefined) {
    return usageFrom({ input: billedInput, output: billedOutput });
  }
  if (used.input === undefined && used.output === undefined) return null;
  return usageFrom({ ...used, cached });
}

function calls(message: Record<string, unknown>): ToolCall[] {
  return objects(message.tool_calls).map((call) => {
    const id = str(call.id);
    const name = str(path(call, 'function', 'name'));
    if (id === undefined || name === undefined)
      throw badUpstreamResponse(PROVIDER, 'cohere sent a malformed tool call');
    return {
      id,
      type: 'function',
      function: { name, arguments: str(path(call, 'function', 'arguments')) ?? '{}' },
    };
  });
}

/** Maps a `/v2/chat` answer. @throws UpstreamError `bad_upstream_response` on a malformed answer or usage. */
export function cohereChatResponse(ctx: CallContext, body: unknown): ChatResult {
  const message = field(body, 'message');
  if (!isObject(body) || !isObject(message))
    throw badUpstreamResponse(PROVIDER, 'cohere sent a chat answer without a message');
  const text = objects(message.content)
    .filter((part) => part.type === 'text')
    .map((part) => str(part.text) ?? '')
    .join('');
  const toolCalls = calls(message);
  const usage = readCohereUsage(body.usage);
  const base = {
    id: str(body.id) ?? `cohere-${ctx.deps.now().toString(36)}`,
    created: Math.floor(ctx.deps.now() / 1000),
    model: ctx.model,
  };
  const assistant = {
    role: 'assistant' as const,
    content: text === '' && toolCalls.length > 0 ? null : text,
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
  return { response: makeCompletion(base, assistant, cohereFinish(body.finish_reason), usage), usage };
}
