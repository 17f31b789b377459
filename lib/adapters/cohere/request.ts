/**
 * Canonical chat request → Cohere v2 `/v2/chat` body.
 *
 * | OpenAI | Cohere v2 |
 * |---|---|
 * | `system` / `developer` | `system` message |
 * | user text / `image_url` parts | `text` / `image_url` content blocks |
 * | assistant `tool_calls` (+ text) | `tool_calls` (+ `tool_plan`) |
 * | `tool` message | `tool` message with `tool_call_id` |
 * | `tool_choice` required / none / function | `REQUIRED` / `NONE` / `REQUIRED` with only that tool |
 * | `response_format` json_object / json_schema | `{type: "json_object"}` (+ `json_schema`) |
 * | `top_p`, `stop` | `p`, `stop_sequences` |
 * | `n` > 1 | refused (400) |
 */
import { contentText, maxOutputTokens, stopList } from '../../ai/chat-builders.js';
import type { ChatCompletionRequest, ChatMessage } from '../../ai/types.js';
import { unsupported } from '../../upstream/errors.js';
import type { CallContext, WireRequest } from '../contract.js';
import { compact } from '../openai-base/request.js';
import { coherePath } from './api.js';

function message(m: ChatMessage): Record<string, unknown> {
  switch (m.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: contentText(m.content) };
    case 'user':
      return {
        role: 'user',
        content:
          typeof m.content === 'string'
            ? m.content
            : m.content.map((p) =>
                p.type === 'text'
                  ? { type: 'text', text: p.text }
                  : { type: 'image_url', image_url: { url: p.image_url.url } },
              ),
      };
    case 'assistant': {
      const text = contentText(m.content);
      if (m.tool_calls === undefined || m.tool_calls.length === 0)
        return { role: 'assistant', content: text };
      return {
        role: 'assistant',
        tool_calls: m.tool_calls.map((c) => ({
          id: c.id,
          type: 'function',
          function: { name: c.function.name, arguments: c.function.arguments },
        })),
        ...(text === '' ? {} : { tool_plan: text }),
      };
    }
    case 'tool':
      return { role: 'tool', tool_call_id: m.tool_call_id, content: contentText(m.content) };
  }
}

function tools(request: ChatCompletionRequest): { tools?: unknown[]; tool_choice?: string } {
  if (request.tools === undefined || request.tools.length === 0) return {};
  const choice = request.tool_choice;
  const named = typeof choice === 'object' ? choice.function.name : undefined;
  const list = request.tools
    .filter((t) => named === undefined || t.function.name === named)
    .map((t) => ({
      type: 'function',
      function: compact({
        name: t.function.name,
        description: t.function.description,
        parameters: t.function.parameters,
      }),
    }));
  const mode =
    named !== undefined || choice === 'required' ? 'REQUIRED' : choice === 'none' ? 'NONE' : undefined;
  return { tools: list, ...(mode === undefined ? {} : { tool_choice: mode }) };
}

function responseFormat(request: ChatCompletionRequest): unknown {
  const format = request.response_format;
  if (format === undefined || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  return compact({ type: 'json_object', json_schema: format.json_schema.schema });
}

/** The `/v2/chat` body. @throws UpstreamError `unsupported` for `n` > 1. */
export function cohereChatBody(
  ctx: CallContext,
  request: ChatCompletionRequest,
  stream: boolean,
): Record<string, unknown> {
  if ((request.n ?? 1) > 1) throw unsupported('cohere', 'cohere does not support n > 1');
  return {
    model: ctx.model,
    messages: request.messages.map(message),
    stream,
    ...tools(request),
    ...compact({
      response_format: responseFormat(request),
      max_tokens: maxOutputTokens(request),
      stop_sequences: stopList(request.stop),
      temperature: request.temperature,
      p: request.top_p,
      seed: request.seed,
      frequency_penalty: request.frequency_penalty,
      presence_penalty: request.presence_penalty,
    }),
  };
}

/** The chat wire request. */
export function cohereChatRequest(
  ctx: CallContext,
  request: ChatCompletionRequest,
  stream: boolean,
): WireRequest {
  return { path: coherePath(ctx, 'chat'), json: cohereChatBody(ctx, request, stream) };
}
