/**
 * Builders for canonical chat objects, shared by every adapter so each emits exactly OpenAI's shapes
 * (field order and nulls included), plus small request helpers every translation needs.
 */
import type {
  AssistantMessage,
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChunkDelta,
  FinishReason,
} from './types.js';
import { type NormalizedUsage, toOpenAIUsage } from './usage.js';

/** What every chunk of one stream shares. */
export interface ChunkBase {
  id: string;
  created: number;
  model: string;
}

/** A `chat.completion.chunk` with one choice. */
export function makeChunk(
  base: ChunkBase,
  delta: ChunkDelta,
  finishReason: FinishReason | null = null,
): ChatCompletionChunk {
  return {
    id: base.id,
    object: 'chat.completion.chunk',
    created: base.created,
    model: base.model,
    choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
  };
}

/** The final usage chunk (`choices: []`), sent when `stream_options.include_usage` is true. */
export function makeUsageChunk(base: ChunkBase, usage: NormalizedUsage | null): ChatCompletionChunk {
  return {
    id: base.id,
    object: 'chat.completion.chunk',
    created: base.created,
    model: base.model,
    choices: [],
    usage: toOpenAIUsage(usage),
  };
}

/** A `chat.completion` with one choice. */
export function makeCompletion(
  base: ChunkBase,
  message: AssistantMessage,
  finishReason: FinishReason,
  usage: NormalizedUsage | null,
): ChatCompletion {
  return {
    id: base.id,
    object: 'chat.completion',
    created: base.created,
    model: base.model,
    choices: [{ index: 0, message, finish_reason: finishReason, logprobs: null }],
    usage: toOpenAIUsage(usage),
  };
}

/** The text of a message's content (string or text parts), parts joined without a separator. */
export function contentText(
  content: string | readonly { type: string; text?: string }[] | null | undefined,
): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' ? (part.text ?? '') : '')).join('');
}

/** `stop` as a list (providers other than OpenAI take only lists). */
export function stopList(stop: ChatCompletionRequest['stop']): string[] | undefined {
  if (stop === null || stop === undefined) return undefined;
  return typeof stop === 'string' ? [stop] : stop;
}

/** The output-token cap the caller asked for, if any (`max_completion_tokens` wins). */
export function maxOutputTokens(request: ChatCompletionRequest): number | undefined {
  return request.max_completion_tokens ?? request.max_tokens ?? undefined;
}

/**
 * For providers without a JSON mode: the system instruction that asks for JSON (with the schema when
 * one was given). `undefined` when the request does not ask for JSON.
 */
export function jsonModeInstruction(request: ChatCompletionRequest): string | undefined {
  const format = request.response_format;
  if (format === undefined || format.type === 'text') return undefined;
  if (format.type === 'json_object') {
    return 'Respond with a single valid JSON object and nothing else (no prose, no code fences).';
  }
  const schema =
    format.json_schema.schema === undefined ? '' : ` ${JSON.stringify(format.json_schema.schema)}`;
  return `Respond with a single valid JSON object that conforms to this JSON Schema, and nothing else (no prose, no code fences):${schema}`;
}

/**
 * Parses tool-call arguments (a JSON string) into the object providers other than OpenAI want.
 *
 * @returns the object, or `undefined` when the text is not a JSON object.
 */
export function parseToolArguments(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
