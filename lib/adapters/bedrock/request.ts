/**
 * Canonical chat request → Bedrock Converse input.
 *
 * | OpenAI | Converse |
 * |---|---|
 * | `system` / `developer` | `system: [{text}]` |
 * | user text / data-URL image | `{text}` / `{image: {format, source: {bytes}}}` (remote image URLs are refused: Converse takes bytes, and the gateway does not fetch URLs) |
 * | assistant `thinking_blocks` | `{reasoningContent: {reasoningText: {text, signature}}}` / `{reasoningContent: {redactedContent}}` first |
 * | assistant `tool_calls` | `{toolUse: {toolUseId, name, input}}` |
 * | `tool` message | `{toolResult: {toolUseId, content: [{text}]}}` in a user turn |
 * | consecutive same-role turns | merged (Converse requires alternation) |
 * | `tool_choice` auto / required / function | `{auto}` / `{any}` / `{tool: {name}}`; `none` drops the tools unless the history uses them |
 * | `max_tokens`, `temperature`, `top_p`, `stop` | `inferenceConfig` |
 * | `response_format` json | a system instruction |
 * | `thinking` (Claude) | `additionalModelRequestFields.reasoning_config`, the same fields |
 * | `cache_control` on a text part or tool | a `cachePoint` block after it (`ttl` kept) |
 * | `n` > 1 | refused (400) |
 */
import type {
  CachePointBlock,
  ContentBlock,
  ConverseRequest,
  Message,
  SystemContentBlock,
  Tool,
  ToolUseBlock,
} from '@aws-sdk/client-bedrock-runtime';
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
  CacheControl,
  ChatCompletionRequest,
  ChatMessage,
  ContentPart,
  ThinkingBlock,
} from '../../ai/types.js';
import { invalidRequest, unsupported } from '../../upstream/errors.js';

const PROVIDER = 'bedrock';
type Doc = NonNullable<ToolUseBlock['input']>;
type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp';

function imageBlock(url: string): ContentBlock {
  const image = parseImageUrl(url);
  if (image.kind === 'invalid') throw invalidRequest(PROVIDER, image.reason);
  if (image.kind === 'url')
    throw unsupported(PROVIDER, 'bedrock takes images as data URLs (base64), not remote URLs');
  const format = image.mediaType.slice('image/'.length) as ImageFormat;
  return { image: { format, source: { bytes: new Uint8Array(Buffer.from(image.data, 'base64')) } } };
}

/** Converse's cache breakpoint for a `cache_control` (none without one). */
function cachePoint(control: CacheControl | undefined): Array<{ cachePoint: CachePointBlock }> {
  if (control === undefined) return [];
  return [{ cachePoint: { type: 'default', ...(control.ttl === undefined ? {} : { ttl: control.ttl }) } }];
}

function userBlocks(content: string | readonly ContentPart[]): ContentBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  return content.flatMap((part): ContentBlock[] => {
    if (part.type === 'image_url') return [imageBlock(part.image_url.url)];
    return part.text === '' ? [] : [{ text: part.text }, ...cachePoint(part.cache_control)];
  });
}

/** System blocks, with a cache point after each part that is a cache breakpoint. */
function systemBlocks(
  messages: readonly ChatMessage[],
  instruction: string | undefined,
): SystemContentBlock[] {
  const blocks = messages.flatMap((m): SystemContentBlock[] => {
    if (m.role !== 'system' && m.role !== 'developer') return [];
    if (typeof m.content === 'string') return m.content === '' ? [] : [{ text: m.content }];
    const text = contentText(m.content);
    const last = [...m.content].reverse().find((part) => part.cache_control !== undefined);
    return text === '' ? [] : [{ text }, ...cachePoint(last?.cache_control)];
  });
  return instruction === undefined ? blocks : [...blocks, { text: instruction }];
}

/** A thinking block as Converse takes it back (a redacted one's base64 back to bytes). */
function reasoningBlock(block: ThinkingBlock): ContentBlock {
  if (block.type === 'redacted_thinking') {
    return { reasoningContent: { redactedContent: new Uint8Array(Buffer.from(block.data, 'base64')) } };
  }
  const reasoningText = { text: block.thinking, ...(block.signature ? { signature: block.signature } : {}) };
  return { reasoningContent: { reasoningText } };
}

function assistantBlocks(message: Extract<ChatMessage, { role: 'assistant' }>): ContentBlock[] {
  const text = contentText(message.content);
  const blocks: ContentBlock[] = (message.thinking_blocks ?? []).map(reasoningBlock);
  if (text !== '') blocks.push({ text });
  for (const call of message.tool_calls ?? []) {
    const input = parseToolArguments(call.function.arguments);
    if (input === undefined)
      throw invalidRequest(PROVIDER, `tool call ${call.id} has arguments that are not a JSON object`);
    blocks.push({ toolUse: { toolUseId: call.id, name: call.function.name, input: input as Doc } });
  }
  return blocks;
}

function turn(message: Exclude<ChatMessage, { role: 'system' | 'developer' }>): Message {
  if (message.role === 'user') return { role: 'user', content: userBlocks(message.content) };
  if (message.role === 'assistant') return { role: 'assistant', content: assistantBlocks(message) };
  return {
    role: 'user',
    content: [
      { toolResult: { toolUseId: message.tool_call_id, content: [{ text: contentText(message.content) }] } },
    ],
  };
}

/** The alternating turns (system and developer messages go to `systemBlocks`). */
export function toConverseMessages(messages: readonly ChatMessage[]): Message[] {
  const turns: Message[] = [];
  for (const message of messages) {
    if (message.role === 'system' || message.role === 'developer') continue;
    const next = turn(message);
    if ((next.content ?? []).length === 0) continue;
    const last = turns.at(-1);
    if (last !== undefined && last.role === next.role)
      last.content = [...(last.content ?? []), ...(next.content ?? [])];
    else turns.push(next);
  }
  return turns;
}

function toolConfig(request: ChatCompletionRequest, turns: Message[]): ConverseRequest['toolConfig'] {
  if (request.tools === undefined || request.tools.length === 0) return undefined;
  const usesTools = turns.some((t) =>
    (t.content ?? []).some((b) => b.toolUse !== undefined || b.toolResult !== undefined),
  );
  const choice = request.tool_choice ?? 'auto';
  if (choice === 'none' && !usesTools) return undefined;
  const tools: Tool[] = request.tools.flatMap((tool): Tool[] => [
    {
      toolSpec: {
        name: tool.function.name,
        ...(tool.function.description === undefined ? {} : { description: tool.function.description }),
        inputSchema: { json: (tool.function.parameters ?? { type: 'object', properties: {} }) as Doc },
      },
    },
    ...cachePoint(tool.cache_control),
  ]);
  if (choice === 'none' || choice === 'auto') return { tools, toolChoice: { auto: {} } };
  if (choice === 'required') return { tools, toolChoice: { any: {} } };
  return { tools, toolChoice: { tool: { name: choice.function.name } } };
}

/** The Converse (and ConverseStream) input for a canonical request. */
export function converseInput(modelId: string, request: ChatCompletionRequest): ConverseRequest {
  if ((request.n ?? 1) > 1) throw unsupported(PROVIDER, 'bedrock does not support n > 1');
  const turns = toConverseMessages(request.messages);
  const system = systemBlocks(request.messages, jsonModeInstruction(request));
  const inference: NonNullable<ConverseRequest['inferenceConfig']> = {};
  const maxTokens = maxOutputTokens(request);
  if (maxTokens !== undefined) inference.maxTokens = maxTokens;
  if (request.temperature !== undefined && request.temperature !== null)
    inference.temperature = request.temperature;
  if (request.top_p !== undefined && request.top_p !== null) inference.topP = request.top_p;
  const stops = stopList(request.stop);
  if (stops !== undefined) inference.stopSequences = stops;
  const tools = toolConfig(request, turns);
  const reasoning = thinkingParam(request);
  return {
    modelId,
    messages: turns,
    ...(system.length > 0 ? { system } : {}),
    ...(Object.keys(inference).length > 0 ? { inferenceConfig: inference } : {}),
    ...(tools === undefined ? {} : { toolConfig: tools }),
    ...(reasoning === undefined
      ? {}
      : { additionalModelRequestFields: { reasoning_config: reasoning as Doc } }),
  };
}
