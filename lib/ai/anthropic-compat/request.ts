/**
 * Anthropic Messages request (from a caller of `/v1/messages`) → canonical chat request, so any
 * provider can serve the Anthropic SDK.
 *
 * | Anthropic | canonical (OpenAI) |
 * |---|---|
 * | `system` | a leading `system` message (text parts, each with its `cache_control`, when any has one) |
 * | `cache_control` on text blocks and tools | `cache_control` on the text parts and tools |
 * | `text` / `image` blocks | `text` / `image_url` parts (base64 sources become data URLs) |
 * | `tool_use` blocks (assistant) | `tool_calls` (`arguments` = JSON of `input`) |
 * | `tool_result` blocks (user) | `tool` messages, placed before the rest of that user turn |
 * | `thinking` / `redacted_thinking` blocks (assistant) | `thinking_blocks`, unchanged, and their text as `reasoning_content` |
 * | `thinking` | `thinking` |
 * | `tool_choice` auto / any / tool / none | `auto` / `required` / `{function}` / `none` |
 * | `disable_parallel_tool_use` | `parallel_tool_calls: false` |
 * | `stop_sequences`, `metadata.user_id` | `stop`, `user` |
 * | `top_k` | dropped (OpenAI has none) |
 * | `stream` | `stream` with `include_usage` (Anthropic streams always end with usage) |
 */

import { toDataUrl } from '../images.js';
import type { AnthropicContentBlock, AnthropicMessagesRequest } from '../schemas/anthropic-messages.js';
import { thinkingText } from '../thinking.js';
import type {
  CacheControl,
  ChatCompletionRequest,
  ChatMessage,
  ContentPart,
  TextPart,
  ThinkingBlock,
  ToolCall,
} from '../types.js';

type UserPart = ContentPart;

function imagePart(block: Extract<AnthropicContentBlock, { type: 'image' }>): UserPart {
  const url =
    block.source.type === 'base64' ? toDataUrl(block.source.media_type, block.source.data) : block.source.url;
  return { type: 'image_url', image_url: { url } };
}

function toolResultText(block: Extract<AnthropicContentBlock, { type: 'tool_result' }>): string {
  const content = block.content;
  const text =
    content === undefined
      ? ''
      : typeof content === 'string'
        ? content
        : content.map((part) => (part.type === 'text' ? part.text : '[image]')).join('');
  return block.is_error === true ? `Error: ${text}` : text;
}

/** A text block as a text part, its cache breakpoint kept. */
function textPart(block: { text: string; cache_control?: CacheControl | undefined }): TextPart {
  return {
    type: 'text',
    text: block.text,
    ...(block.cache_control ? { cache_control: block.cache_control } : {}),
  };
}

/** The system prompt: one string, or text parts when a cache breakpoint must survive. */
function systemMessage(system: AnthropicMessagesRequest['system']): ChatMessage | undefined {
  if (system === undefined) return undefined;
  if (typeof system !== 'string' && system.some((block) => block.cache_control !== undefined)) {
    return { role: 'system', content: system.map(textPart) };
  }
  const text = typeof system === 'string' ? system : system.map((b) => b.text).join('\n\n');
  return text === '' ? undefined : { role: 'system', content: text };
}

function userMessages(content: string | AnthropicContentBlock[]): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const out: ChatMessage[] = [];
  const parts: UserPart[] = [];
  for (const block of content) {
    if (block.type === 'tool_result') {
      const text = toolResultText(block);
      const content = block.cache_control ? [textPart({ text, cache_control: block.cache_control })] : text;
      out.push({ role: 'tool', tool_call_id: block.tool_use_id, content });
    } else if (block.type === 'text') parts.push(textPart(block));
    else if (block.type === 'image') parts.push(imagePart(block));
  }
  if (parts.length > 0) out.push({ role: 'user', content: parts });
  return out;
}

function assistantMessage(content: string | AnthropicContentBlock[]): ChatMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  let text = '';
  const calls: ToolCall[] = [];
  const thinking: ThinkingBlock[] = [];
  for (const block of content) {
    if (block.type === 'text') text += block.text;
    if (block.type === 'thinking' || block.type === 'redacted_thinking') thinking.push(block);
    if (block.type === 'tool_use') {
      calls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input) },
      });
    }
  }
  return {
    role: 'assistant',
    content: text === '' && calls.length > 0 ? null : text,
    ...(calls.length > 0 ? { tool_calls: calls } : {}),
    ...(thinking.length > 0 ? { reasoning_content: thinkingText(thinking), thinking_blocks: thinking } : {}),
  };
}

function toolChoice(
  request: AnthropicMessagesRequest,
): Pick<ChatCompletionRequest, 'tool_choice' | 'parallel_tool_calls'> {
  const choice = request.tool_choice;
  if (choice === undefined) return {};
  const parallel =
    'disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use === true
      ? { parallel_tool_calls: false }
      : {};
  switch (choice.type) {
    case 'auto':
      return { tool_choice: 'auto', ...parallel };
    case 'any':
      return { tool_choice: 'required', ...parallel };
    case 'none':
      return { tool_choice: 'none' };
    case 'tool':
      return { tool_choice: { type: 'function', function: { name: choice.name } }, ...parallel };
  }
}

/** Converts a validated Anthropic Messages request. */
export function anthropicToCanonical(request: AnthropicMessagesRequest): ChatCompletionRequest {
  const messages: ChatMessage[] = [];
  const system = systemMessage(request.system);
  if (system !== undefined) messages.push(system);
  for (const message of request.messages) {
    if (message.role === 'user') messages.push(...userMessages(message.content));
    else messages.push(assistantMessage(message.content));
  }
  const canonical: ChatCompletionRequest = {
    model: request.model,
    messages,
    max_tokens: request.max_tokens,
    ...toolChoice(request),
  };
  if (request.tools !== undefined && request.tools.length > 0) {
    canonical.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        parameters: tool.input_schema,
        ...(tool.description === undefined ? {} : { description: tool.description }),
      },
      ...(tool.cache_control ? { cache_control: tool.cache_control } : {}),
    }));
  }
  if (request.stop_sequences !== undefined) canonical.stop = request.stop_sequences;
  if (request.temperature !== undefined) canonical.temperature = request.temperature;
  if (request.top_p !== undefined) canonical.top_p = request.top_p;
  if (request.metadata?.user_id !== undefined) canonical.user = request.metadata.user_id;
  if (request.thinking !== undefined) canonical.thinking = request.thinking;
  if (request.stream === true) {
    canonical.stream = true;
    canonical.stream_options = { include_usage: true };
  }
  return canonical;
}
