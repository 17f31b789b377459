/**
 * The OpenAI Responses API in front of any provider (`POST /v1/responses`): the conversation (a
 * previous response's items, then the request's input) becomes a canonical chat request
 * ({@link responsesToCanonical}); the canonical answer becomes a `Response` ({@link completionOutput},
 * {@link finishResponse}) or its event stream ({@link ResponsesStreamWriter}).
 *
 * @example
 * const input = keptInput(body.input ?? [], id);             // ids assigned; references resolved after
 * const request = responsesToCanonical(body, [...history, ...input]);
 * const result = await invokeChat({ ..., request });
 * const shell = responseShell(body, { id, createdAt, store: true });
 * if (!result.stream)
 *   return finishResponse(shell, { output: completionOutput(result.response, id), finish, usage, completedAt });
 * const writer = new ResponsesStreamWriter(shell);
 * write(responsesSse(writer.start()));
 * for await (const chunk of result.stream) write(responsesSse(writer.push(chunk)));
 * const { events, response } = writer.end(result.stream.result?.usage ?? null, completedAt);
 * write(responsesSse([...events, writer.completed(response)]));
 */
export {
  type ConversationItem,
  type ItemReference,
  isResponseId,
  keptInput,
  type OutputItem,
  responseIdOfItem,
} from './responses-compat/items.js';
export { responsesToCanonical } from './responses-compat/request.js';
export {
  completionOutput,
  finishResponse,
  type ResponseObject,
  type ResponseUsage,
  responseShell,
} from './responses-compat/response.js';
export {
  type ResponsesStreamEvent,
  ResponsesStreamWriter,
  responsesSse,
} from './responses-compat/stream.js';
export {
  type ResponseInputItem,
  type ResponsesRequest,
  responsesRequestSchema,
} from './schemas/responses.js';
