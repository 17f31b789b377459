/**
 * How each cached operation's answers are kept and replayed. A chat answer is kept as the canonical
 * completion, or for a stream as its canonical chunks (the usage chunk included when the caller
 * asked for it), and replayed through the same endpoint code as a live answer: the OpenAI,
 * Anthropic and Responses writers turn the chunks into their own events, so a replayed stream is a
 * valid stream of the caller's format. Embeddings and rerank keep their JSON answer.
 */
import type { AdapterChatStream } from '../../adapters/contract.js';
import { type ChatInvocation, ChatStream } from '../../adapters/index.js';
import type { ChatCompletion, ChatCompletionChunk, NormalizedUsage } from '../../ai/types.js';
import type { StoredAnswer } from './entries.js';
import type { CacheCodec } from './session.js';

/** Raw JSON bytes a streamed answer may reach and still be kept (bounded memory per stream). */
export const MAX_CAPTURED_BYTES = 8_000_000;

interface Sink {
  chunks: ChatCompletionChunk[];
  bytes: number;
  overflow: boolean;
  complete: boolean;
}

async function* tee(stream: ChatStream, sink: Sink): AsyncGenerator<ChatCompletionChunk, void> {
  for await (const chunk of stream) {
    if (!sink.overflow) {
      sink.bytes += JSON.stringify(chunk).length;
      if (sink.bytes > MAX_CAPTURED_BYTES) {
        sink.overflow = true;
        sink.chunks = [];
      } else sink.chunks.push(chunk);
    }
    yield chunk;
  }
  sink.complete = true;
}

async function* replayChunks(
  chunks: readonly ChatCompletionChunk[],
): AsyncGenerator<ChatCompletionChunk, void> {
  yield* chunks;
}

/** A stream over canonical chunks already complete (the usage chunk, if any, is among them). */
function streamOf(chunks: AsyncGenerator<ChatCompletionChunk, void>, usage: () => NormalizedUsage | null) {
  const source: AdapterChatStream = { chunks, usage };
  return ChatStream.open(source, false);
}

/** The codec of chat answers (`/v1/chat/completions`, `/v1/messages`, `/v1/responses`). */
export const chatCodec: CacheCodec<ChatInvocation> = {
  async capture(value) {
    if (value.stream === false) {
      return {
        value,
        answer: () => ({ body: value.response, usage: value.usage, meta: value.meta }),
      };
    }
    const live = value.stream;
    const sink: Sink = { chunks: [], bytes: 0, overflow: false, complete: false };
    const stream = await streamOf(tee(live, sink), () => live.result?.usage ?? null);
    return {
      value: { stream, meta: value.meta },
      answer: () => {
        if (!sink.complete) return undefined;
        if (sink.overflow) return 'too_large';
        return { body: sink.chunks, usage: live.result?.usage ?? null, meta: value.meta };
      },
    };
  },
  async replay(answer) {
    const meta = answer.meta as ChatInvocation['meta'];
    if (!Array.isArray(answer.body)) {
      return { stream: false, response: answer.body as ChatCompletion, usage: answer.usage, meta };
    }
    const stream = await streamOf(replayChunks(answer.body as ChatCompletionChunk[]), () => answer.usage);
    return { stream, meta };
  },
};

/** The codec of single JSON answers with usage (embeddings, rerank). */
export function jsonCodec<R>(): CacheCodec<{ response: R; usage: NormalizedUsage | null }> {
  return {
    async capture(value) {
      return { value, answer: (): StoredAnswer => ({ body: value.response, usage: value.usage }) };
    },
    async replay(answer) {
      return { response: answer.body as R, usage: answer.usage };
    },
  };
}
