/**
 * OpenAI-compatible SSE → canonical chunks. Each `data:` is a `chat.completion.chunk` (rebuilt field
 * by field); the usage-only chunk is absorbed (the service re-emits usage when the caller asked);
 * `data: [DONE]` ends the stream. A server that closes after a finish reason without `[DONE]` is
 * accepted; one that closes before any finish reason is reported as truncated.
 */
import { arr, field, isObject, num, objects, str, tryParseJson } from '../../ai/read.js';
import type { SseEvent } from '../../ai/sse.js';
import type { ChatCompletionChunk, ChunkChoice, ChunkDelta, ReportedUsage } from '../../ai/types.js';
import { inStreamError } from '../../upstream/classify.js';
import { badUpstreamResponse } from '../../upstream/errors.js';
import type { CallContext, ChatStreamMapper } from '../contract.js';
import { openAIErrorFacts } from './errors.js';
import { finishReason, readOpenAIUsage, reasoningText, toolCallDeltas } from './response.js';

function delta(value: unknown): ChunkDelta {
  const out: ChunkDelta = {};
  if (!isObject(value)) return out;
  if (value.role === 'assistant') out.role = 'assistant';
  const content = str(value.content);
  if (content !== undefined) out.content = content;
  const refusal = str(value.refusal);
  if (refusal !== undefined) out.refusal = refusal;
  const reasoning = reasoningText(value);
  if (reasoning !== undefined && reasoning !== '') out.reasoning_content = reasoning;
  const calls = toolCallDeltas(value.tool_calls);
  if (calls !== undefined && calls.length > 0) out.tool_calls = calls;
  return out;
}

function choices(value: unknown): ChunkChoice[] {
  return objects(arr(value)).map((item, position) => ({
    index: num(item.index) ?? position,
    delta: delta(item.delta),
    finish_reason: finishReason(item.finish_reason),
    logprobs: null,
  }));
}

/** A fresh mapper for one OpenAI-compatible stream. */
export function openAIStreamMapper(ctx: CallContext): ChatStreamMapper {
  const provider = ctx.provider.provider_type;
  let finished = false;
  let sawFinish = false;
  let usage: ReportedUsage = null;

  function failInStream(body: unknown): never {
    throw inStreamError({
      provider,
      statusHint: 500,
      facts: openAIErrorFacts({ status: 500, headers: {}, body }),
      secrets: [ctx.credential.value],
    });
  }

  return {
    map(event: SseEvent): ChatCompletionChunk[] {
      if (event.data.trim() === '[DONE]') {
        finished = true;
        return [];
      }
      const data = tryParseJson(event.data);
      if (!isObject(data))
        throw badUpstreamResponse(provider, `${provider} streamed an event that is not JSON`);
      if (data.error !== undefined && data.error !== null) failInStream(data);
      if (isObject(data.usage)) usage = readOpenAIUsage(data.usage, provider);
      const mapped = choices(data.choices);
      if (mapped.length === 0) return [];
      if (mapped.some((c) => c.finish_reason !== null)) sawFinish = true;
      const chunk: ChatCompletionChunk = {
        id: str(data.id) ?? '',
        object: 'chat.completion.chunk',
        created: num(data.created) ?? Math.floor(ctx.deps.now() / 1000),
        model: str(data.model) ?? ctx.model,
        choices: mapped,
      };
      const fingerprint = str(field(data, 'system_fingerprint'));
      if (fingerprint !== undefined) chunk.system_fingerprint = fingerprint;
      return [chunk];
    },
    done: () => finished,
    end() {
      if (sawFinish) return [];
      throw badUpstreamResponse(provider, `${provider} ended the stream before it was complete`);
    },
    usage: () => usage,
  };
}
