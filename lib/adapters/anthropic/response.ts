/**
 * Anthropic Message → canonical completion: text blocks joined, `tool_use` blocks as `tool_calls`
 * (`arguments` = JSON of `input`), thinking blocks dropped, `stop_reason` mapped, usage normalized
 * (Anthropic's `input_tokens` excludes cache reads and writes; ours includes both).
 */
import { anthropicToFinish } from '../../ai/anthropic-wire.js';
import { makeCompletion } from '../../ai/chat-builders.js';
import { field, isObject, objects, str } from '../../ai/read.js';
import type { ToolCall } from '../../ai/types.js';
import { type NormalizedUsage, tokenCount, usageFrom } from '../../ai/usage.js';
import { badUpstreamResponse } from '../../upstream/errors.js';
import type { CallContext, ChatResult } from '../contract.js';

const PROVIDER = 'anthropic';

/** Raw Anthropic usage counts, validated; absent ones are `undefined`. */
export interface AnthropicCounts {
  input?: number | undefined;
  output?: number | undefined;
  cacheRead?: number | undefined;
  cacheWrite?: number | undefined;
}

/** Validated Anthropic usage counts. @throws UpstreamError `bad_upstream_response` on an invalid number. */
export function readAnthropicCounts(usage: unknown): AnthropicCounts {
  if (!isObject(usage)) return {};
  return {
    input: tokenCount(usage.input_tokens, 'input_tokens', PROVIDER),
    output: tokenCount(usage.output_tokens, 'output_tokens', PROVIDER),
    cacheRead: tokenCount(usage.cache_read_input_tokens, 'cache_read_input_tokens', PROVIDER),
    cacheWrite: tokenCount(usage.cache_creation_input_tokens, 'cache_creation_input_tokens', PROVIDER),
  };
}

/** Normalized usage from Anthropic counts; `null` when nothing was reported. */
export function normalizeAnthropicUsage(counts: AnthropicCounts): NormalizedUsage | null {
  if (counts.input === undefined && counts.output === undefined) return null;
  const cached = counts.cacheRead ?? 0;
  return usageFrom(
    { input: (counts.input ?? 0) + cached + (counts.cacheWrite ?? 0), output: counts.output, cached },
    PROVIDER,
  );
}

/** Maps a Messages API answer. */
export function anthropicResponse(ctx: CallContext, body: unknown): ChatResult {
  if (!isObject(body) || !Array.isArray(body.content)) {
    throw badUpstreamResponse(PROVIDER, 'anthropic sent a message without content');
  }
  let text = '';
  const calls: ToolCall[] = [];
  for (const block of objects(body.content)) {
    if (block.type === 'text') text += str(block.text) ?? '';
    if (block.type === 'tool_use') {
      const id = str(block.id);
      const name = str(block.name);
      if (id === undefined || name === undefined)
        throw badUpstreamResponse(PROVIDER, 'anthropic sent a malformed tool_use block');
      calls.push({ id, type: 'function', function: { name, arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  const usage = normalizeAnthropicUsage(readAnthropicCounts(field(body, 'usage')));
  const base = {
    id: str(body.id) ?? `msg_${ctx.deps.now().toString(36)}`,
    created: Math.floor(ctx.deps.now() / 1000),
    model: str(body.model) ?? ctx.model,
  };
  const message = {
    role: 'assistant' as const,
    content: text === '' && calls.length > 0 ? null : text,
    ...(calls.length > 0 ? { tool_calls: calls } : {}),
  };
  return { response: makeCompletion(base, message, anthropicToFinish(str(body.stop_reason)), usage), usage };
}
