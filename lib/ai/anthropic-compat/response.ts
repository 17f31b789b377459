/**
 * Canonical completion → Anthropic Message, and gateway errors → Anthropic's error envelope, so the
 * Anthropic SDK reads answers and failures from any provider.
 */
import { type AnthropicUsage, finishToAnthropic, toAnthropicUsage } from '../anthropic-wire.js';
import { parseToolArguments } from '../chat-builders.js';
import type { AssistantMessage, ChatCompletion, ReportedUsage } from '../types.js';

/** A content block of an answer to `/v1/messages`. */
export type AnthropicOutBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string };

/** An Anthropic `Message` object. */
export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicOutBlock[];
  stop_reason: ReturnType<typeof finishToAnthropic>;
  stop_sequence: null;
  usage: AnthropicUsage;
}

/** `msg_`-prefixed id (the SDK does not require it, but callers may log and compare ids). */
export function anthropicMessageId(id: string): string {
  return id.startsWith('msg_') ? id : `msg_${id}`;
}

/**
 * The thinking blocks of an answer, first in its content as Anthropic puts them: the blocks as the
 * provider signed them, or (from a provider that only reports reasoning text) one unsigned block.
 */
export function thinkingOut(message: AssistantMessage | undefined): AnthropicOutBlock[] {
  if (message?.thinking_blocks !== undefined && message.thinking_blocks.length > 0) {
    return message.thinking_blocks.map((block) =>
      block.type === 'redacted_thinking'
        ? { type: 'redacted_thinking', data: block.data }
        : { type: 'thinking', thinking: block.thinking, signature: block.signature ?? '' },
    );
  }
  const text = message?.reasoning_content;
  return text === undefined || text === '' ? [] : [{ type: 'thinking', thinking: text, signature: '' }];
}

/**
 * Converts the first choice of a completion.
 *
 * @param usage - the call's usage as the provider reported it (Anthropic splits cached input).
 */
export function canonicalToAnthropic(completion: ChatCompletion, usage: ReportedUsage): AnthropicMessage {
  const choice = completion.choices[0];
  const content: AnthropicOutBlock[] = thinkingOut(choice?.message);
  const text = choice?.message.content ?? '';
  if (text !== '') content.push({ type: 'text', text });
  for (const call of choice?.message.tool_calls ?? []) {
    content.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: parseToolArguments(call.function.arguments) ?? {},
    });
  }
  return {
    id: anthropicMessageId(completion.id),
    type: 'message',
    role: 'assistant',
    model: completion.model,
    content,
    stop_reason: finishToAnthropic(choice?.finish_reason ?? null),
    stop_sequence: null,
    usage: toAnthropicUsage(usage),
  };
}
