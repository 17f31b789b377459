/**
 * Canonical chat request → an OpenAI-compatible body. The canonical format *is* OpenAI's, but the
 * body is still rebuilt field by field: nothing the caller sent reaches the upstream unless named
 * here, and compatible servers get the dialect they understand (`system` for `developer`,
 * `max_tokens` for `max_completion_tokens`). `reasoning_effort` is passed on; Anthropic's `thinking`
 * and earlier answers' `reasoning_content` / `thinking_blocks` are not (OpenAI has no field for them,
 * and DeepSeek-style hosts refuse reasoning sent back).
 */
import type { ChatCompletionRequest, ChatMessage, ContentPart } from '../../ai/types.js';
import type { CallContext, WireRequest } from '../contract.js';
import type { OpenAICompatibleOptions } from './options.js';

/** Drops `undefined` and `null` members (OpenAI treats absent and null alike; some servers do not). */
export function compact<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined && v !== null),
  ) as Partial<T>;
}

function part(p: ContentPart): Record<string, unknown> {
  if (p.type === 'text') return { type: 'text', text: p.text };
  return { type: 'image_url', image_url: compact({ url: p.image_url.url, detail: p.image_url.detail }) };
}

function content(value: string | readonly ContentPart[]): unknown {
  return typeof value === 'string' ? value : value.map(part);
}

/** One message, rebuilt. */
export function wireMessage(message: ChatMessage, options: OpenAICompatibleOptions): Record<string, unknown> {
  switch (message.role) {
    case 'system':
      return compact({ role: 'system', content: content(message.content), name: message.name });
    case 'developer':
      return compact({ role: options.developerRole, content: content(message.content), name: message.name });
    case 'user':
      return compact({ role: 'user', content: content(message.content), name: message.name });
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content === undefined || message.content === null ? null : content(message.content),
        ...compact({
          name: message.name,
          refusal: message.refusal,
          tool_calls: message.tool_calls?.map((call) => ({
            id: call.id,
            type: 'function',
            function: { name: call.function.name, arguments: call.function.arguments },
          })),
        }),
      };
    case 'tool':
      return { role: 'tool', content: content(message.content), tool_call_id: message.tool_call_id };
  }
}

function tools(request: ChatCompletionRequest): unknown[] | undefined {
  return request.tools?.map((tool) => ({
    type: 'function',
    function: compact({
      name: tool.function.name,
      description: tool.function.description,
      parameters: tool.function.parameters,
      strict: tool.function.strict,
    }),
  }));
}

function responseFormat(request: ChatCompletionRequest): unknown {
  const format = request.response_format;
  if (format === undefined || format.type !== 'json_schema')
    return format === undefined ? undefined : { type: format.type };
  const schema = format.json_schema;
  return {
    type: 'json_schema',
    json_schema: compact({
      name: schema.name,
      description: schema.description,
      schema: schema.schema,
      strict: schema.strict,
    }),
  };
}

function tokenLimit(
  request: ChatCompletionRequest,
  options: OpenAICompatibleOptions,
): Record<string, unknown> {
  if (options.maxTokensField === 'as_given') {
    return compact({ max_tokens: request.max_tokens, max_completion_tokens: request.max_completion_tokens });
  }
  return compact({ max_tokens: request.max_completion_tokens ?? request.max_tokens });
}

/**
 * The chat body. Streams always ask for usage (`stream_options.include_usage`), so usage is metered
 * whatever the caller asked; the service strips the usage chunk when the caller did not want it.
 */
export function chatBody(
  ctx: CallContext,
  request: ChatCompletionRequest,
  stream: boolean,
  options: OpenAICompatibleOptions,
): Record<string, unknown> {
  const toolChoice = request.tool_choice;
  return {
    model: ctx.model,
    messages: request.messages.map((message) => wireMessage(message, options)),
    ...compact({
      tools: tools(request),
      tool_choice:
        typeof toolChoice === 'object'
          ? { type: 'function', function: { name: toolChoice.function.name } }
          : toolChoice,
      parallel_tool_calls: request.tools === undefined ? undefined : request.parallel_tool_calls,
      response_format: responseFormat(request),
      temperature: request.temperature,
      top_p: request.top_p,
      stop: request.stop,
      n: request.n,
      seed: request.seed,
      presence_penalty: request.presence_penalty,
      frequency_penalty: request.frequency_penalty,
      user: request.user,
      reasoning_effort: request.reasoning_effort,
    }),
    ...tokenLimit(request, options),
    ...(stream ? { stream: true } : {}),
    ...(stream && (options.streamUsage?.(ctx) ?? true) ? { stream_options: { include_usage: true } } : {}),
  };
}

/** The chat wire request (`POST {base}/chat/completions`). */
export function chatRequest(
  ctx: CallContext,
  request: ChatCompletionRequest,
  stream: boolean,
  options: OpenAICompatibleOptions,
): WireRequest {
  return {
    path: '/chat/completions',
    query: options.query?.(ctx),
    json: chatBody(ctx, request, stream, options),
  };
}
