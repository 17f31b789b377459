/**
 * The Anthropic Messages API in front of any provider (`POST /v1/messages`): the caller's request
 * becomes canonical ({@link anthropicToCanonical}), the canonical answer becomes an Anthropic
 * `Message` ({@link canonicalToAnthropic}) or stream events ({@link AnthropicStreamWriter}), and
 * errors take Anthropic's envelope ({@link anthropicErrorBody}).
 *
 * @example
 * const request = anthropicToCanonical(body);           // body validated by anthropicMessagesRequestSchema
 * const result = await invokeChat({ ..., request });
 * if (!result.stream) return canonicalToAnthropic(result.response, result.usage);
 * const writer = new AnthropicStreamWriter({ id: requestId, model: body.model });
 * for await (const chunk of result.stream) write(anthropicSse(writer.push(chunk)));
 * write(anthropicSse(writer.end(result.stream.result?.usage ?? null)));
 */
export { anthropicToCanonical } from './anthropic-compat/request.js';
export {
  type AnthropicMessage,
  anthropicMessageId,
  canonicalToAnthropic,
} from './anthropic-compat/response.js';
export { type AnthropicStreamEvent, AnthropicStreamWriter, anthropicSse } from './anthropic-compat/stream.js';
export { anthropicErrorBody, anthropicErrorType } from './anthropic-errors.js';
export {
  type AnthropicMessagesRequest,
  anthropicMessagesRequestSchema,
} from './schemas/anthropic-messages.js';
