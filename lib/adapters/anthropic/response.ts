/**
 * Anthropic Message → canonical completion: text blocks joined, `tool_use` blocks as `tool_calls`
 * (`arguments` = JSON of `input`), `thinking` and `redacted_thinking` blocks kept as
 * `thinking_blocks` (signatures unchanged, so a client can send them back) with the thinking text as
 * `reasoning_content`, `stop_reason` mapped, usage normalized (Anthropic's `input_tokens` excludes
 * cache reads and writes; ours includes both).
 */
import { anthropicToFinish } from '../../ai/anthropic-wire.js';
import { makeCompletion } from '../../ai/chat-builders.js';
import { field, isObject, objects, path, str } from '../../ai/read.js';
import { thinkingText } from '../../ai/thinking.js';
import type { AssistantMessage, ThinkingBlock, ToolCall } from '../../ai/types.js';
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
  /** `cache_creation.ephemeral_1h_input_tokens`: the 1-hour part of the cache writes. */
  cacheWrite1h?: number | undefined;
  /** `output_tokens_details.thinking_tokens`: the thinking part of the output. */
  thinking?: number | undefined;
}

/** The keys of {@link AnthropicCounts} (a stream merges them event by event). */
export const ANTHROPIC_COUNT_KEYS = [
  'input',
  'output',
  'cacheRead',
  'cacheWrite',
  'cacheWrite1h',
  'thinking',
] as const;

/** Validated Anthropic usage counts. @throws UpstreamError `bad_upstream_response` on an invalid number. */
export function readAnthropicCounts(usage: unknown): AnthropicCounts {
  if (!isObject(usage)) return {};
  const count = (value: unknown, name: string) => tokenCount(value, name, PROVIDER);
  return {
    input: count(usage.input_tokens, 'input_tokens'),
    output: count(usage.output_tokens, 'output_tokens'),
    cacheRead: count(usage.cache_read_input_tokens, 'cache_read_input_tokens'),
    cacheWrite: count(usage.cache_creation_input_tokens, 'cache_creation_input_tokens'),
    cacheWrite1h: count(
      path(usage, 'cache_creation', 'ephemeral_1h_input_tokens'),
      'ephemeral_1h_input_tokens',
    ),
    thinking: count(path(usage, 'output_tokens_details', 'thinking_tokens'), 'thinking_tokens'),
  };
}

/**
 * Normalized usage from Anthropic counts; `null` when nothing was reported. Cache writes are the
 * whole `cache_creation_input_tokens` (its 5-minute/1-hour split only says which price applies);
 * thinking tokens are output tokens, as Anthropic bills them.
 */
export function normalizeAnthropicUsage(counts: AnthropicCounts): NormalizedUsage | null {
  if (counts.input === undefined && counts.output === undefined) return null;
  const cached = counts.cacheRead ?? 0;
  const writes = counts.cacheWrite ?? 0;
  return usageFrom({
    input: (counts.input ?? 0) + cached + writes,
    output: counts.output,
    cached,
    cacheWrite: writes,
    cacheWrite1h: counts.cacheWrite1h,
    reasoning: counts.thinking,
  });
}

/** A `thinking` or `redacted_thinking` block, rebuilt field by field (`undefined` for other blocks). */
export function anthropicThinkingBlock(block: Record<string, unknown>): ThinkingBlock | undefined {
  if (block.type === 'redacted_thinking') {
    const data = str(block.data);
    if (data === undefined)
      throw badUpstreamResponse(PROVIDER, 'anthropic sent redacted thinking without data');
    return { type: 'redacted_thinking', data };
  }
  if (block.type !== 'thinking') return undefined;
  const signature = str(block.signature);
  return {
    type: 'thinking',
    thinking: str(block.thinking) ?? '',
    ...(signature === undefined || signature === '' ? {} : { signature }),
  };
}

function toolCall(block: Record<string, unknown>): ToolCall {
  const id = str(block.id);
  const name = str(block.name);
  if (id === undefined || name === undefined)
    throw badUpstreamResponse(PROVIDER, 'anthropic sent a malformed tool_use block');
  return { id, type: 'function', function: { name, arguments: JSON.stringify(block.input ?? {}) } };
}

/** Maps a Messages API answer. */
export function anthropicResponse(ctx: CallContext, body: unknown): ChatResult {
  if (!isObject(body) || !Array.isArray(body.content)) {
    throw badUpstreamResponse(PROVIDER, 'anthropic sent a message without content');
  }
  let text = '';
  const calls: ToolCall[] = [];
  const thinking: ThinkingBlock[] = [];
  for (const block of objects(body.content)) {
    if (block.type === 'text') text += str(block.text) ?? '';
    if (block.type === 'tool_use') calls.push(toolCall(block));
    const thought = anthropicThinkingBlock(block);
    if (thought !== undefined) thinking.push(thought);
  }
  const usage = normalizeAnthropicUsage(readAnthropicCounts(field(body, 'usage')));
  const base = {
    id: str(body.id) ?? `msg_${ctx.deps.now().toString(36)}`,
    created: Math.floor(ctx.deps.now() / 1000),
    model: str(body.model) ?? ctx.model,
  };
  const message: AssistantMessage = {
    role: 'assistant',
    content: text === '' && calls.length > 0 ? null : text,
    ...(calls.length > 0 ? { tool_calls: calls } : {}),
    ...(thinking.length > 0 ? { reasoning_content: thinkingText(thinking), thinking_blocks: thinking } : {}),
  };
  return { response: makeCompletion(base, message, anthropicToFinish(str(body.stop_reason)), usage), usage };
}
