/**
 * Cohere v2 stream events → canonical chunks: `message-start` (role), `content-delta` (text),
 * `tool-call-start` (a new tool call with id and name), `tool-call-delta` (arguments), `message-end`
 * (finish reason and usage; terminal). `tool-plan-delta`, citations and block starts/ends are dropped.
 */
import { type ChunkBase, makeChunk } from '../../ai/chat-builders.js';
import { field, isObject, num, path, str, tryParseJson } from '../../ai/read.js';
import type { SseEvent } from '../../ai/sse.js';
import type { ChatCompletionChunk, ChunkDelta, ReportedUsage } from '../../ai/types.js';
import { inStreamError } from '../../upstream/classify.js';
import { badUpstreamResponse } from '../../upstream/errors.js';
import type { CallContext, ChatStreamMapper } from '../contract.js';
import { cohereFinish, readCohereUsage } from './response.js';

const PROVIDER = 'cohere';

/** A fresh mapper for one Cohere stream. */
export function cohereStreamMapper(ctx: CallContext): ChatStreamMapper {
  const base: ChunkBase = { id: '', created: Math.floor(ctx.deps.now() / 1000), model: ctx.model };
  const tools = new Map<number, number>();
  let finished = false;
  let usage: ReportedUsage = null;

  function toolIndex(data: Record<string, unknown>): number {
    const upstream = num(data.index) ?? tools.size - 1;
    const known = tools.get(upstream);
    if (known !== undefined) return known;
    tools.set(upstream, tools.size);
    return tools.size - 1;
  }

  function delta(data: Record<string, unknown>): ChunkDelta | undefined {
    const message = path(data, 'delta', 'message');
    switch (data.type) {
      case 'message-start':
        base.id = str(data.id) ?? base.id;
        return { role: 'assistant', content: '' };
      case 'content-delta':
        return { content: str(path(message, 'content', 'text')) ?? '' };
      case 'tool-call-start': {
        const call = field(message, 'tool_calls');
        const id = str(field(call, 'id'));
        const name = str(path(call, 'function', 'name'));
        if (id === undefined || name === undefined)
          throw badUpstreamResponse(PROVIDER, 'cohere streamed a malformed tool call');
        const args = str(path(call, 'function', 'arguments')) ?? '';
        return {
          tool_calls: [{ index: toolIndex(data), id, type: 'function', function: { name, arguments: args } }],
        };
      }
      case 'tool-call-delta':
        return {
          tool_calls: [
            {
              index: toolIndex(data),
              function: { arguments: str(path(message, 'tool_calls', 'function', 'arguments')) ?? '' },
            },
          ],
        };
      default:
        return undefined;
    }
  }

  return {
    map(event: SseEvent): ChatCompletionChunk[] {
      const data = tryParseJson(event.data);
      if (!isObject(data)) throw badUpstreamResponse(PROVIDER, 'cohere streamed an event that is not JSON');
      if (data.type === 'message-end') {
        finished = true;
        usage = readCohereUsage(path(data, 'delta', 'usage'));
        return [makeChunk(base, {}, cohereFinish(path(data, 'delta', 'finish_reason')))];
      }
      if (data.type === 'error') {
        throw inStreamError({
          provider: PROVIDER,
          statusHint: 500,
          facts: { message: str(data.message) },
          secrets: [ctx.credential.value],
        });
      }
      const out = delta(data);
      return out === undefined ? [] : [makeChunk(base, out)];
    },
    done: () => finished,
    end() {
      throw badUpstreamResponse(PROVIDER, 'cohere ended the stream before message-end');
    },
    usage: () => usage,
  };
}
