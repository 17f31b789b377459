/**
 * Canonical (OpenAI) chat request → Anthropic Messages body.
 *
 * | OpenAI | Anthropic |
 * |---|---|
 * | `system` / `developer` messages | `system` (joined by blank lines, wherever they appear; text blocks when a part has `cache_control`) |
 * | `cache_control` on text parts and tools | `cache_control` on the same blocks and tools |
 * | user text / `image_url` parts | `text` / `image` blocks (`base64` source for data URLs, `url` source otherwise) |
 * | assistant `thinking_blocks` | `thinking` / `redacted_thinking` blocks first, unchanged (`reasoning_content` alone is not sent: it has no signature) |
 * | assistant `tool_calls` | `tool_use` blocks (`input` = parsed `arguments`) |
 * | `tool` messages | `tool_result` blocks in a user turn |
 * | consecutive same-role turns | merged into one turn |
 * | `tool_choice` none/auto/required/function | `{type: none/auto/any/tool}` |
 * | `parallel_tool_calls: false` | `disable_parallel_tool_use: true` |
 * | `max_completion_tokens` / `max_tokens` | `max_tokens` (required: `metadata.default_max_tokens` or 4096) |
 * | `stop` | `stop_sequences` |
 * | `response_format` json | a system instruction (Anthropic has no JSON mode) |
 * | `user` | `metadata.user_id` |
 * | `thinking` | `thinking`, rebuilt field by field |
 * | `n` > 1 | refused (400) |
 * | `seed`, penalties | dropped |
 */
import {
  contentText,
  jsonModeInstruction,
  maxOutputTokens,
  parseToolArguments,
  stopList,
} from '../../ai/chat-builders.js';
import { parseImageUrl } from '../../ai/images.js';
import { thinkingParam } from '../../ai/thinking.js';
import type {
  ChatCompletionRequest,
  ChatMessage,
  ContentPart,
  TextPart,
  ThinkingBlock,
} from '../../ai/types.js';
import { invalidRequest, unsupported } from '../../upstream/errors.js';
import type { CallContext, WireRequest } from '../contract.js';
import { metadataNumber } from '../credentials.js';
import { compact } from '../openai-base/request.js';
import { messagesPath } from './api.js';

type Block = Record<string, unknown>;
interface Turn {
  role: 'user' | 'assistant';
  content: Block[];
}

const PROVIDER = 'anthropic';
/** `max_tokens` when neither the request nor `metadata.default_max_tokens` sets it (Anthropic requires it). */
export const DEFAULT_MAX_TOKENS = 4096;

/** An image part as an Anthropic `image` block. */
export function imageBlock(url: string, provider = PROVIDER): Block {
  const image = parseImageUrl(url);
  if (image.kind === 'invalid') throw invalidRequest(provider, image.reason);
  if (image.kind === 'url') return { type: 'image', source: { type: 'url', url: image.url } };
  return { type: 'image', source: { type: 'base64', media_type: image.mediaType, data: image.data } };
}

/** The cache breakpoint of a message's text parts (the last one set), if any. */
function breakpointOf(content: string | readonly TextPart[]): TextPart['cache_control'] {
  if (typeof content === 'string') return undefined;
  return [...content].reverse().find((part) => part.cache_control !== undefined)?.cache_control;
}

/** A text part as a text block, its cache breakpoint kept. */
function textBlock(part: TextPart): Block {
  return { type: 'text', text: part.text, ...compact({ cache_control: part.cache_control }) };
}

function userBlocks(content: string | readonly ContentPart[]): Block[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content.flatMap((part) =>
    part.type === 'image_url' ? [imageBlock(part.image_url.url)] : part.text === '' ? [] : [textBlock(part)],
  );
}

/**
 * The system prompt as text blocks when one of its parts is a cache breakpoint (`undefined`
 * otherwise: the joined string is sent, as before). Breakpoints are only kept in block form.
 */
function systemBlocks(
  messages: readonly ChatMessage[],
  instruction: string | undefined,
): Block[] | undefined {
  const parts = messages.flatMap((m) =>
    m.role === 'system' || m.role === 'developer'
      ? typeof m.content === 'string'
        ? [{ type: 'text' as const, text: m.content }]
        : m.content
      : [],
  );
  if (!parts.some((part) => part.cache_control !== undefined)) return undefined;
  const blocks = parts.filter((part) => part.text !== '').map(textBlock);
  return instruction === undefined ? blocks : [...blocks, { type: 'text', text: instruction }];
}

/** A thinking block as Anthropic takes it back: the same fields, rebuilt. */
export function thinkingBlockOut(block: ThinkingBlock): Block {
  if (block.type === 'redacted_thinking') return { type: 'redacted_thinking', data: block.data };
  return { type: 'thinking', thinking: block.thinking, ...compact({ signature: block.signature }) };
}

function assistantBlocks(message: Extract<ChatMessage, { role: 'assistant' }>): Block[] {
  const text = contentText(message.content);
  // Thinking comes first in an assistant turn, as the model produced it.
  const blocks: Block[] = (message.thinking_blocks ?? []).map(thinkingBlockOut);
  if (text !== '') blocks.push({ type: 'text', text });
  for (const call of message.tool_calls ?? []) {
    const input = parseToolArguments(call.function.arguments);
    if (input === undefined)
      throw invalidRequest(PROVIDER, `tool call ${call.id} has arguments that are not a JSON object`);
    blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input });
  }
  return blocks;
}

function turnOf(message: Exclude<ChatMessage, { role: 'system' | 'developer' }>): Turn {
  if (message.role === 'user') return { role: 'user', content: userBlocks(message.content) };
  if (message.role === 'assistant') return { role: 'assistant', content: assistantBlocks(message) };
  return {
    role: 'user',
    content: [
      {
        type: 'tool_result',
        tool_use_id: message.tool_call_id,
        content: contentText(message.content),
        ...compact({ cache_control: breakpointOf(message.content) }),
      },
    ],
  };
}

/** System text and merged turns. */
export function toAnthropicMessages(messages: readonly ChatMessage[]): { system: string[]; turns: Turn[] } {
  const system: string[] = [];
  const turns: Turn[] = [];
  for (const message of messages) {
    if (message.role === 'system' || message.role === 'developer') {
      const text = contentText(message.content);
      if (text !== '') system.push(text);
      continue;
    }
    const turn = turnOf(message);
    if (turn.content.length === 0) continue;
    const last = turns.at(-1);
    if (last?.role === turn.role) last.content.push(...turn.content);
    else turns.push(turn);
  }
  return { system, turns };
}

function toolChoice(request: ChatCompletionRequest): Block | undefined {
  if (request.tools === undefined || request.tools.length === 0) return undefined;
  const choice = request.tool_choice ?? 'auto';
  if (choice === 'none') return { type: 'none' };
  const base: Block =
    choice === 'auto'
      ? { type: 'auto' }
      : choice === 'required'
        ? { type: 'any' }
        : { type: 'tool', name: choice.function.name };
  return request.parallel_tool_calls === false ? { ...base, disable_parallel_tool_use: true } : base;
}

/** The Messages body for a canonical request. */
export function anthropicBody(
  ctx: CallContext,
  request: ChatCompletionRequest,
  stream: boolean,
): Record<string, unknown> {
  if ((request.n ?? 1) > 1) throw unsupported(PROVIDER, 'anthropic does not support n > 1');
  const { system, turns } = toAnthropicMessages(request.messages);
  const instruction = jsonModeInstruction(request);
  if (instruction !== undefined) system.push(instruction);
  const maxTokens =
    maxOutputTokens(request) ??
    metadataNumber(ctx.provider.metadata, 'default_max_tokens') ??
    DEFAULT_MAX_TOKENS;
  return {
    model: ctx.model,
    max_tokens: maxTokens,
    messages: turns,
    ...compact({
      system:
        systemBlocks(request.messages, instruction) ?? (system.length > 0 ? system.join('\n\n') : undefined),
      tools: request.tools?.map((tool) => ({
        name: tool.function.name,
        ...compact({ description: tool.function.description }),
        input_schema: tool.function.parameters ?? { type: 'object', properties: {} },
        ...compact({ cache_control: tool.cache_control }),
      })),
      tool_choice: toolChoice(request),
      temperature: request.temperature,
      top_p: request.top_p,
      stop_sequences: stopList(request.stop),
      metadata: request.user === undefined ? undefined : { user_id: request.user },
      thinking: thinkingParam(request),
      stream: stream ? true : undefined,
    }),
  };
}

/**
 * The Messages wire request.
 *
 * @throws UpstreamError for a request Anthropic cannot express (`n` > 1, a bad image, bad tool arguments).
 */
export function anthropicRequest(
  ctx: CallContext,
  request: ChatCompletionRequest,
  stream: boolean,
): WireRequest {
  return { path: messagesPath(ctx), json: anthropicBody(ctx, request, stream) };
}
