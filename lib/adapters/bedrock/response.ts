/**
 * Converse output → canonical. Stop reasons: `end_turn`/`stop_sequence` → `stop`, `max_tokens` and
 * `model_context_window_exceeded` → `length`, `tool_use` → `tool_calls`, `guardrail_intervened` and
 * `content_filtered` → `content_filter`. Usage: `inputTokens` excludes cache reads and writes, so
 * ours adds them back; `cacheReadInputTokens` is the cached part, `cacheWriteInputTokens` the
 * written part (its 1-hour share from `cacheDetails`). `reasoningContent` blocks become thinking
 * blocks: `reasoningText` (text and signature) a `thinking` one, `redactedContent` (bytes) a
 * `redacted_thinking` one with the bytes in base64.
 */
import { makeCompletion } from '../../ai/chat-builders.js';
import { arr, field, isObject, objects, str } from '../../ai/read.js';
import { thinkingText } from '../../ai/thinking.js';
import type { AssistantMessage, FinishReason, ThinkingBlock, ToolCall } from '../../ai/types.js';
import { type NormalizedUsage, tokenCount, usageFrom } from '../../ai/usage.js';
import { badUpstreamResponse } from '../../upstream/errors.js';
import type { CallContext, ChatResult } from '../contract.js';

const PROVIDER = 'bedrock';

const FINISH: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

/** Converse `stopReason` → `finish_reason` (unknown reasons become `stop`). */
export function bedrockFinish(reason: unknown): FinishReason {
  return FINISH[str(reason) ?? ''] ?? 'stop';
}

/** Reads Converse `usage` (`null` when absent). */
export function readBedrockUsage(usage: unknown): NormalizedUsage | null {
  if (!isObject(usage)) return null;
  const input = tokenCount(usage.inputTokens, 'inputTokens', PROVIDER);
  const output = tokenCount(usage.outputTokens, 'outputTokens', PROVIDER);
  if (input === undefined && output === undefined) return null;
  const cacheRead = tokenCount(usage.cacheReadInputTokens, 'cacheReadInputTokens', PROVIDER) ?? 0;
  const cacheWrite = tokenCount(usage.cacheWriteInputTokens, 'cacheWriteInputTokens', PROVIDER) ?? 0;
  let cacheWrite1h = 0;
  for (const detail of objects(arr(usage.cacheDetails))) {
    const tokens = tokenCount(detail.inputTokens, 'cacheDetails.inputTokens', PROVIDER) ?? 0;
    if (detail.ttl === '1h') cacheWrite1h += tokens;
  }
  return usageFrom({
    input: (input ?? 0) + cacheRead + cacheWrite,
    output,
    cached: cacheRead,
    cacheWrite,
    cacheWrite1h,
  });
}

/** Bytes as the SDK decodes a blob (or base64 text, as the JSON wire carries it) → base64. */
export function base64Of(value: unknown): string | undefined {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return str(value);
}

/** A Converse `reasoningContent` block as a thinking block (`undefined` when it is not one). */
export function bedrockThinkingBlock(block: Record<string, unknown>): ThinkingBlock | undefined {
  const reasoning = block.reasoningContent;
  if (!isObject(reasoning)) return undefined;
  const text = field(reasoning, 'reasoningText');
  if (isObject(text)) {
    const signature = str(text.signature);
    return { type: 'thinking', thinking: str(text.text) ?? '', ...(signature ? { signature } : {}) };
  }
  const redacted = base64Of(reasoning.redactedContent);
  return redacted === undefined ? undefined : { type: 'redacted_thinking', data: redacted };
}

interface ConverseLikeOutput {
  output?: { message?: { content?: unknown[] } };
  stopReason?: string;
  usage?: unknown;
  $metadata?: { requestId?: string };
}

/** Maps a Converse response. */
export function converseResponse(ctx: CallContext, output: ConverseLikeOutput): ChatResult {
  const content = output.output?.message?.content;
  if (!Array.isArray(content))
    throw badUpstreamResponse(PROVIDER, 'bedrock sent a Converse answer without a message');
  let text = '';
  const calls: ToolCall[] = [];
  const thinking: ThinkingBlock[] = [];
  for (const block of content.filter(isObject)) {
    if (typeof block.text === 'string') text += block.text;
    const thought = bedrockThinkingBlock(block);
    if (thought !== undefined) thinking.push(thought);
    const use = block.toolUse;
    if (isObject(use)) {
      const id = str(use.toolUseId);
      const name = str(use.name);
      if (id === undefined || name === undefined)
        throw badUpstreamResponse(PROVIDER, 'bedrock sent a malformed toolUse block');
      calls.push({ id, type: 'function', function: { name, arguments: JSON.stringify(use.input ?? {}) } });
    }
  }
  const usage = readBedrockUsage(output.usage);
  const base = {
    id: `bedrock-${output.$metadata?.requestId ?? ctx.deps.now().toString(36)}`,
    created: Math.floor(ctx.deps.now() / 1000),
    model: ctx.model,
  };
  const message: AssistantMessage = {
    role: 'assistant',
    content: text === '' && calls.length > 0 ? null : text,
    ...(calls.length > 0 ? { tool_calls: calls } : {}),
    ...(thinking.length > 0 ? { reasoning_content: thinkingText(thinking), thinking_blocks: thinking } : {}),
  };
  return { response: makeCompletion(base, message, bedrockFinish(output.stopReason), usage), usage };
}
