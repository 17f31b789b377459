import { Readable } from 'node:stream';
import type { ChatInvocation, ChatStream } from '../../adapters/index.js';
import {
  AnthropicStreamWriter,
  anthropicMessageId,
  anthropicSse,
  anthropicToCanonical,
  canonicalToAnthropic,
} from '../../ai/anthropic-compat.js';
import type { AnthropicMessagesRequest } from '../../ai/schemas/anthropic-messages.js';
import type { ChatCompletionChunk } from '../../ai/types.js';
import { type HandlerRequest, Reply } from '../../http/handler.js';
import { gatewayHeaders } from '../../services/ai/headers.js';
import type { AiRun } from '../../services/ai/pipeline.js';
import { closeEarly, runChat, SSE_HEADERS } from './chat.js';

/**
 * The Anthropic Messages API (`POST /v1/messages`) served by any provider: the request becomes
 * canonical, the answer an Anthropic `Message` or its event stream, so the official Anthropic SDK
 * works whichever provider the route picks.
 */
export async function serveMessages(request: HandlerRequest<AnthropicMessagesRequest, unknown, unknown>) {
  const canonical = anthropicToCanonical(request.body);
  const run = await runChat(request as never, canonical, 'messages');
  const headers = gatewayHeaders(run, request.receivedAt);
  const value = run.value;
  if (value.stream === false) {
    await run.finish(value.usage, 'success');
    return new Reply(
      200,
      { ...canonicalToAnthropic(value.response, value.usage), model: request.body.model },
      headers,
    );
  }
  const writer = new AnthropicStreamWriter({
    id: anthropicMessageId(request.requestId),
    model: request.body.model,
  });
  return new Reply(200, Readable.from(events(run, value.stream, writer, request.signal)), {
    ...headers,
    ...SSE_HEADERS,
  });
}

async function* events(
  run: AiRun<ChatInvocation>,
  stream: ChatStream,
  writer: AnthropicStreamWriter,
  hangup: AbortSignal,
): AsyncGenerator<string> {
  let completed = false;
  let failed = false;
  let delivering = false;
  try {
    for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
      delivering = true;
      yield anthropicSse(writer.push(chunk));
      delivering = false;
    }
    // The client left (its hang-up aborted the upstream read, which then ends): counted as cancelled.
    if (hangup.aborted) return;
    completed = true;
    // Counted (durably) before `message_stop`: a client that has the end has been counted.
    await run.finish(stream.result?.usage ?? null, 'success');
    yield anthropicSse(writer.end(stream.result?.usage ?? null));
  } catch (error) {
    // Thrown in at a yield: the response stream was destroyed (the client left), not the upstream.
    if (delivering) throw error;
    if (hangup.aborted) return;
    failed = true;
    yield anthropicSse([writer.error(error)]);
  } finally {
    await closeEarly(run, stream, { completed, failed });
  }
}
