/**
 * The `Response` object of `/v1/responses` (OpenAI's shape): built from the request when a response
 * starts ({@link responseShell}), then finished with the output items of a canonical completion
 * ({@link completionOutput}) or of a stream, its status and its usage ({@link finishResponse}).
 */
import type { ResponsesRequest } from '../schemas/responses.js';
import type { ChatCompletion, FinishReason, ReportedUsage } from '../types.js';
import { itemIdFor, type OutputItem, type OutputMessageItem } from './items.js';

/** Token usage in the Responses shape. */
export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** A function tool as a response echoes it. */
export interface EchoedFunctionTool {
  type: 'function';
  name: string;
  description: string | null;
  parameters: Record<string, unknown> | null;
  strict: boolean | null;
}

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** OpenAI's `Response` object, as the gateway returns, streams and stores it. */
export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  completed_at: number | null;
  status: ResponseStatus;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  metadata: Record<string, string>;
  model: string;
  output: OutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: string | null };
  store: boolean;
  temperature: number | null;
  text: { format: NonNullable<NonNullable<ResponsesRequest['text']>['format']> };
  tool_choice: NonNullable<ResponsesRequest['tool_choice']>;
  tools: EchoedFunctionTool[];
  top_p: number | null;
  truncation: 'auto' | 'disabled';
  usage: ResponseUsage | null;
  user: string | null;
}

/** Normalized usage in the Responses shape (zeros when the provider reported none). */
export function responsesUsage(usage: ReportedUsage): ResponseUsage {
  const u = usage ?? { input_tokens: 0, output_tokens: 0, cached_input_tokens: 0 };
  return {
    input_tokens: u.input_tokens,
    input_tokens_details: { cached_tokens: u.cached_input_tokens, cache_write_tokens: 0 },
    output_tokens: u.output_tokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: u.input_tokens + u.output_tokens,
  };
}

/**
 * A response in progress: the request's settings echoed, no output yet.
 *
 * @param createdAt - epoch seconds.
 */
export function responseShell(
  request: ResponsesRequest,
  init: { id: string; createdAt: number; store: boolean },
): ResponseObject {
  return {
    id: init.id,
    object: 'response',
    created_at: init.createdAt,
    completed_at: null,
    status: 'in_progress',
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    metadata: request.metadata ?? {},
    model: request.model,
    output: [],
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: request.reasoning?.summary ?? null },
    store: init.store,
    temperature: request.temperature ?? null,
    text: { format: request.text?.format ?? { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: (request.tools ?? []).map((tool) => ({
      type: 'function',
      name: tool.name,
      description: tool.description ?? null,
      parameters: tool.parameters ?? null,
      strict: tool.strict ?? null,
    })),
    top_p: request.top_p ?? null,
    truncation: request.truncation ?? 'disabled',
    usage: null,
    user: request.user ?? request.safety_identifier ?? null,
  };
}

/** How a finish reason ends a response: `length` and `content_filter` leave it incomplete. */
export function statusOf(finish: FinishReason | null): Pick<ResponseObject, 'status' | 'incomplete_details'> {
  if (finish === 'length')
    return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (finish === 'content_filter')
    return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

/**
 * The finished response: output, status from the finish reason, usage.
 *
 * @param completedAt - epoch seconds.
 */
export function finishResponse(
  shell: ResponseObject,
  result: { output: OutputItem[]; finish: FinishReason | null; usage: ReportedUsage; completedAt: number },
): ResponseObject {
  return {
    ...shell,
    ...statusOf(result.finish),
    completed_at: result.completedAt,
    output: result.output,
    usage: responsesUsage(result.usage),
  };
}

/** Reasoning text a provider returned beside the answer (`reasoning_content`), when it did. */
export function reasoningText(value: unknown): string | undefined {
  const text = (value as { reasoning_content?: unknown } | null | undefined)?.reasoning_content;
  return typeof text === 'string' && text !== '' ? text : undefined;
}

/** An empty answer still has one (empty) message, as OpenAI's. */
export function emptyMessage(id: string, status: OutputMessageItem['status']): OutputMessageItem {
  return {
    id,
    type: 'message',
    role: 'assistant',
    content: [{ type: 'output_text', text: '', annotations: [], logprobs: [] }],
    status,
  };
}

/**
 * The output items of the first choice of a complete answer: reasoning (when the provider returned
 * some), the message (text, refusal), then one `function_call` per tool call.
 */
export function completionOutput(completion: ChatCompletion, responseId: string): OutputItem[] {
  const choice = completion.choices[0];
  const message = choice?.message;
  const status = statusOf(choice?.finish_reason ?? null).status === 'completed' ? 'completed' : 'incomplete';
  const output: OutputItem[] = [];
  const id = (prefix: string) => itemIdFor(responseId, prefix, 'o', output.length);
  const reasoning = reasoningText(message);
  if (reasoning !== undefined) {
    output.push({
      id: id('rs'),
      type: 'reasoning',
      summary: [],
      content: [{ type: 'reasoning_text', text: reasoning }],
      status: 'completed',
    });
  }
  const text = message?.content ?? '';
  const content: OutputMessageItem['content'] = [];
  if (text !== '') content.push({ type: 'output_text', text, annotations: [], logprobs: [] });
  if (message?.refusal) content.push({ type: 'refusal', refusal: message.refusal });
  if (content.length > 0) output.push({ id: id('msg'), type: 'message', role: 'assistant', content, status });
  for (const call of message?.tool_calls ?? []) {
    output.push({
      id: id('fc'),
      type: 'function_call',
      call_id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
      status: 'completed',
    });
  }
  if (output.length === 0) output.push(emptyMessage(id('msg'), status));
  return output;
}
