/**
 * ConverseStream events → canonical chunks, and the watchdog around the SDK's event iterator.
 *
 * | Converse event | chunk |
 * |---|---|
 * | `messageStart` | `delta: {role: "assistant", content: ""}` |
 * | `contentBlockStart.start.toolUse` | a new `tool_calls[k]` with id and name |
 * | `contentBlockDelta.delta.text` | `delta.content` |
 * | `contentBlockDelta.delta.toolUse.input` | `tool_calls[k].function.arguments` fragment |
 * | `contentBlockDelta.delta.reasoningContent.text` | `delta.reasoning_content` |
 * | `contentBlockDelta.delta.reasoningContent.signature` | `delta.thinking_blocks` (the block's signature) |
 * | `contentBlockDelta.delta.reasoningContent.redactedContent` | `delta.thinking_blocks` (`redacted_thinking`, base64) |
 * | `messageStop` | the finish chunk |
 * | `metadata` | usage (terminal: it follows `messageStop`) |
 * | `*Exception` members | an `UpstreamError` |
 *
 * The SDK has no idle timeout of its own for an event stream, so each read races a timer: silence
 * longer than the budget's idle time aborts the call and fails with a `timeout`.
 */
import type { ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import { type ChunkBase, makeChunk } from '../../ai/chat-builders.js';
import { isObject, num, str } from '../../ai/read.js';
import { signatureDelta } from '../../ai/thinking.js';
import type { ChatCompletionChunk, ChunkDelta, ReportedUsage } from '../../ai/types.js';
import { badUpstreamResponse } from '../../upstream/errors.js';
import type { CallContext } from '../contract.js';
import { bedrockError } from './errors.js';
import { base64Of, bedrockFinish, readBedrockUsage } from './response.js';

const PROVIDER = 'bedrock';
const EXCEPTIONS = [
  'internalServerException',
  'modelStreamErrorException',
  'validationException',
  'throttlingException',
  'serviceUnavailableException',
] as const;
const EXCEPTION_NAMES: Record<(typeof EXCEPTIONS)[number], string> = {
  internalServerException: 'InternalServerException',
  modelStreamErrorException: 'ModelStreamErrorException',
  validationException: 'ValidationException',
  throttlingException: 'ThrottlingException',
  serviceUnavailableException: 'ServiceUnavailableException',
};

/** Stateful translation of one ConverseStream. */
export class BedrockStreamMapper {
  private readonly base: ChunkBase;
  private readonly tools = new Map<number, number>();
  private stopped = false;
  private finished = false;
  private reported: ReportedUsage = null;

  constructor(private readonly ctx: CallContext) {
    this.base = {
      id: `bedrock-${ctx.deps.now().toString(36)}`,
      created: Math.floor(ctx.deps.now() / 1000),
      model: ctx.model,
    };
  }

  /** Maps one event. @throws UpstreamError for an exception member. */
  map(event: ConverseStreamOutput): ChatCompletionChunk[] {
    for (const key of EXCEPTIONS) {
      const exception: unknown = event[key];
      if (exception !== undefined) {
        const message = isObject(exception) ? str(exception.message) : undefined;
        throw bedrockError({ name: EXCEPTION_NAMES[key], message }, undefined, {
          now: this.ctx.deps.now(),
          secrets: [this.ctx.credential.value],
        });
      }
    }
    if (event.metadata !== undefined) {
      this.reported = readBedrockUsage(event.metadata.usage);
      this.finished = true;
      return [];
    }
    if (event.messageStop !== undefined) {
      this.stopped = true;
      return [makeChunk(this.base, {}, bedrockFinish(event.messageStop.stopReason))];
    }
    const delta = this.delta(event);
    return delta === undefined ? [] : [makeChunk(this.base, delta)];
  }

  private delta(event: ConverseStreamOutput): ChunkDelta | undefined {
    if (event.messageStart !== undefined) return { role: 'assistant', content: '' };
    const start = event.contentBlockStart?.start?.toolUse;
    if (start !== undefined) {
      const index = this.tools.size;
      this.tools.set(event.contentBlockStart?.contentBlockIndex ?? index, index);
      if (start.toolUseId === undefined || start.name === undefined) {
        throw badUpstreamResponse(PROVIDER, 'bedrock streamed a malformed toolUse block');
      }
      return {
        tool_calls: [
          { index, id: start.toolUseId, type: 'function', function: { name: start.name, arguments: '' } },
        ],
      };
    }
    const delta = event.contentBlockDelta?.delta;
    if (delta?.text !== undefined) return { content: delta.text };
    if (delta?.reasoningContent !== undefined) return reasoningDelta(delta.reasoningContent);
    if (delta?.toolUse !== undefined) {
      const index = this.tools.get(num(event.contentBlockDelta?.contentBlockIndex) ?? -1);
      if (index === undefined)
        throw badUpstreamResponse(PROVIDER, 'bedrock streamed tool input for an unknown block');
      return { tool_calls: [{ index, function: { arguments: delta.toolUse.input ?? '' } }] };
    }
    return undefined;
  }

  /** True once `metadata` (the last event) arrived. */
  done(): boolean {
    return this.finished;
  }

  /** The stream closed: fine after `messageStop` (usage may then be missing), else truncated. */
  end(): ChatCompletionChunk[] {
    if (this.stopped) return [];
    throw badUpstreamResponse(PROVIDER, 'bedrock ended the stream before messageStop');
  }

  usage(): ReportedUsage {
    return this.reported;
  }
}

/** A reasoning delta: text, the block's signature, or a redacted block. */
function reasoningDelta(reasoning: unknown): ChunkDelta | undefined {
  if (!isObject(reasoning)) return undefined;
  const text = str(reasoning.text);
  if (text !== undefined) return text === '' ? undefined : { reasoning_content: text };
  const signature = str(reasoning.signature);
  if (signature !== undefined)
    return signature === '' ? undefined : { thinking_blocks: [signatureDelta(signature)] };
  const data = base64Of(reasoning.redactedContent);
  return data === undefined ? undefined : { thinking_blocks: [{ type: 'redacted_thinking', data }] };
}

/** Marks a read that lost its race against the idle timer. */
export const IDLE = Symbol('idle');

/**
 * Awaits `promise`, or calls `onIdle` and answers {@link IDLE} after `ms` of waiting. The timer is
 * cleared either way, so nothing keeps the process alive.
 */
export async function raceIdle<T>(
  promise: Promise<T>,
  ms: number,
  onIdle: () => void,
): Promise<T | typeof IDLE> {
  let timer: NodeJS.Timeout | undefined;
  // A read that loses the race may still reject later; that rejection is expected and handled here.
  promise.catch(() => undefined);
  const idle = new Promise<typeof IDLE>((resolve) => {
    timer = setTimeout(() => {
      onIdle();
      resolve(IDLE);
    }, ms);
  });
  try {
    return await Promise.race([promise, idle]);
  } finally {
    clearTimeout(timer);
  }
}
