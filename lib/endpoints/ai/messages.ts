import { Readable } from 'node:stream';
import {
  AnthropicStreamWriter,
  anthropicMessageId,
  anthropicSse,
  anthropicToCanonical,
  canonicalToAnthropic,
} from '../../ai/anthropic-compat.js';
import type { AnthropicMessagesRequest } from '../../ai/schemas/anthropic-messages.js';
import { type HandlerRequest, Reply } from '../../http/handler.js';
import { gatewayHeaders } from '../../services/ai/headers.js';
import { runChat, SSE_HEADERS, type StreamFront, streamBody } from './chat.js';

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
  return new Reply(
    200,
    Readable.from(streamBody(run, value.stream, anthropicFront(writer), request.signal)),
    {
      ...headers,
      ...SSE_HEADERS,
    },
  );
}

/** The Anthropic front: Messages events per chunk, `message_stop` at the end, an `error` event. */
function anthropicFront(writer: AnthropicStreamWriter): StreamFront {
  return {
    chunk: (chunk) => anthropicSse(writer.push(chunk)),
    end: async (usage) => anthropicSse(writer.end(usage)),
    error: (error) => anthropicSse([writer.error(error)]),
  };
}
