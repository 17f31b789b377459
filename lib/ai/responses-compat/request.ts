/**
 * A Responses request and its conversation → canonical chat request, so every provider serves
 * `/v1/responses` through its chat adapter.
 *
 * | Responses | canonical (chat) |
 * |---|---|
 * | `instructions` | a leading `system` message (never carried over from a previous response) |
 * | message items (user / system / developer) | messages of that role; `input_text` / `input_image` → `text` / `image_url` parts |
 * | assistant message items | `assistant` messages (`output_text` joined; `refusal` → `refusal`) |
 * | `function_call` items | `tool_calls` of the assistant message before them (or a new one) |
 * | `function_call_output` items | `tool` messages |
 * | `reasoning` items | dropped (chat carries no reasoning input) |
 * | `tools` (function), `tool_choice` | `tools` (`{type, function}`), `tool_choice` |
 * | `text.format` json_schema / json_object | `response_format` |
 * | `max_output_tokens` | `max_completion_tokens` |
 * | `temperature`, `top_p`, `parallel_tool_calls` | the same |
 * | `user` / `safety_identifier` | `user` |
 * | `stream` | `stream` (usage comes from the stream's end) |
 */
import { ValidationError } from '../../errors.js';
import type { ResponsesRequest } from '../schemas/responses.js';
import type { ChatCompletionRequest, ChatMessage, ContentPart } from '../types.js';
import type { ConversationItem, InputMessageItem, OutputMessageItem } from './items.js';

type AssistantMessage = Extract<ChatMessage, { role: 'assistant' }>;

function userParts(item: InputMessageItem): ContentPart[] | string {
  const parts: ContentPart[] = item.content.map((part) =>
    part.type === 'input_text'
      ? { type: 'text', text: part.text }
      : {
          type: 'image_url',
          image_url: { url: part.image_url, detail: part.detail === 'original' ? 'high' : part.detail },
        },
  );
  return parts.length === 0 ? '' : parts;
}

const textOf = (item: InputMessageItem) =>
  item.content.map((part) => (part.type === 'input_text' ? part.text : '')).join('');

function assistantMessage(item: OutputMessageItem): AssistantMessage {
  let text = '';
  let refusal: string | undefined;
  for (const part of item.content) {
    if (part.type === 'output_text') text += part.text;
    else refusal = (refusal ?? '') + part.refusal;
  }
  return { role: 'assistant', content: text, ...(refusal === undefined ? {} : { refusal }) };
}

/** The assistant message a function call joins: the last message, if it is the model's. */
function assistantTurn(messages: ChatMessage[]): AssistantMessage {
  const last = messages.at(-1);
  if (last?.role === 'assistant') return last;
  const turn: AssistantMessage = { role: 'assistant', content: null };
  messages.push(turn);
  return turn;
}

function conversationMessages(items: readonly ConversationItem[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const item of items) {
    switch (item.type) {
      case 'message':
        if (item.role === 'assistant') messages.push(assistantMessage(item));
        else if (item.role === 'user') messages.push({ role: 'user', content: userParts(item) });
        else messages.push({ role: item.role, content: textOf(item) });
        break;
      case 'function_call': {
        const turn = assistantTurn(messages);
        const call = {
          id: item.call_id,
          type: 'function' as const,
          function: { name: item.name, arguments: item.arguments },
        };
        turn.tool_calls = [...(turn.tool_calls ?? []), call];
        if (turn.content === '') turn.content = null;
        break;
      }
      case 'function_call_output': {
        const content =
          typeof item.output === 'string' ? item.output : item.output.map((part) => part.text).join('');
        messages.push({ role: 'tool', tool_call_id: item.call_id, content });
        break;
      }
      case 'reasoning':
        break;
    }
  }
  return messages;
}

function tools(request: ResponsesRequest): Pick<ChatCompletionRequest, 'tools' | 'tool_choice'> {
  const out: Pick<ChatCompletionRequest, 'tools' | 'tool_choice'> = {};
  if (request.tools !== undefined && request.tools.length > 0) {
    out.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description == null ? {} : { description: tool.description }),
        ...(tool.parameters == null ? {} : { parameters: tool.parameters }),
        ...(tool.strict == null ? {} : { strict: tool.strict }),
      },
    }));
  }
  const choice = request.tool_choice;
  if (choice !== undefined) {
    out.tool_choice =
      typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
  }
  return out;
}

function responseFormat(request: ResponsesRequest): Pick<ChatCompletionRequest, 'response_format'> {
  const format = request.text?.format;
  if (format === undefined || format.type === 'text') return {};
  if (format.type === 'json_object') return { response_format: { type: 'json_object' } };
  return {
    response_format: {
      type: 'json_schema',
      json_schema: {
        name: format.name,
        schema: format.schema,
        ...(format.description === undefined ? {} : { description: format.description }),
        ...(format.strict == null ? {} : { strict: format.strict }),
      },
    },
  };
}

/**
 * Converts a validated request whose conversation (the previous response's items, then this
 * request's input with references resolved) is `conversation`.
 *
 * @throws ValidationError (422) when nothing is left to send: no instructions and no messages.
 */
export function responsesToCanonical(
  request: ResponsesRequest,
  conversation: readonly ConversationItem[],
): ChatCompletionRequest {
  const messages = conversationMessages(conversation);
  if (request.instructions != null && request.instructions !== '')
    messages.unshift({ role: 'system', content: request.instructions });
  if (messages.length === 0) {
    throw new ValidationError('The request body is invalid.', {
      details: [{ field: 'input', message: 'is required (or previous_response_id)' }],
    });
  }
  const canonical: ChatCompletionRequest = {
    model: request.model,
    messages,
    ...tools(request),
    ...responseFormat(request),
  };
  if (request.max_output_tokens != null) canonical.max_completion_tokens = request.max_output_tokens;
  if (request.temperature != null) canonical.temperature = request.temperature;
  if (request.top_p != null) canonical.top_p = request.top_p;
  if (request.parallel_tool_calls != null) canonical.parallel_tool_calls = request.parallel_tool_calls;
  const user = request.user ?? request.safety_identifier;
  if (user != null) canonical.user = user;
  if (request.stream === true) canonical.stream = true;
  return canonical;
}
