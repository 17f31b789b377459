/**
 * The OpenAI Chat Completions request, as `/v1/chat/completions` and `/api/providers/chat` accept it.
 * This is also the gateway's canonical chat request: adapters translate from it. Unknown fields are
 * stripped (never forwarded); steering fields are refused (see `steering.ts`).
 */
import * as z from 'zod';
import { refuseUpstreamSteering } from './steering.js';
import { reasoningEffort, thinkingBlock, thinkingConfig } from './thinking.js';

/** Tool and function names, as OpenAI accepts them (and every provider we translate to). */
export const toolName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'uses letters, digits, _ and - (at most 64)');

/**
 * A prompt-cache breakpoint (Anthropic's `cache_control`, accepted on both fronts): the prompt up to
 * and including the part that carries it is cached, for 5 minutes or (`ttl: "1h"`) an hour.
 */
export const cacheControl = z.object({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() });

/** A text content part. */
export const textPart = z.object({
  type: z.literal('text'),
  text: z.string(),
  cache_control: cacheControl.optional(),
});

/** An image reference: an `https:`/`http:` URL or a `data:image/...;base64,` URL. */
export const imageUrl = z
  .string()
  .min(1)
  .max(20_000_000)
  .regex(/^(?:https?:\/\/|data:image\/)/i, 'must be an http(s) URL or a data:image/ URL');

/** An image part; `url` is an {@link imageUrl}. */
export const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: imageUrl, detail: z.enum(['auto', 'low', 'high']).optional() }),
});

/** A user content part: text or image. */
export const contentPart = z.discriminatedUnion('type', [textPart, imagePart]);
const textContent = z.union([z.string(), z.array(textPart).max(1000)]);
const userContent = z.union([z.string(), z.array(contentPart).min(1).max(1000)]);
const name = z.string().min(1).max(64).optional();

/** A tool call in an assistant message (`arguments` is a JSON string). */
export const toolCall = z.object({
  id: z.string().min(1).max(256),
  type: z.literal('function'),
  function: z.object({ name: toolName, arguments: z.string().max(1_000_000) }),
});

const systemMessage = z.object({ role: z.literal('system'), content: textContent, name });
const developerMessage = z.object({ role: z.literal('developer'), content: textContent, name });
const userMessage = z.object({ role: z.literal('user'), content: userContent, name });
const assistantMessage = z.object({
  role: z.literal('assistant'),
  content: textContent.nullable().optional(),
  tool_calls: z.array(toolCall).max(128).optional(),
  refusal: z.string().nullable().optional(),
  /** The reasoning text of an earlier answer (informational: never sent upstream on its own). */
  reasoning_content: z.string().nullable().optional(),
  /** Thinking blocks of an earlier answer, sent back unchanged (Anthropic and Bedrock need them with tools). */
  thinking_blocks: z.array(thinkingBlock).max(1000).optional(),
  name,
});
const toolMessage = z.object({
  role: z.literal('tool'),
  content: textContent,
  tool_call_id: z.string().min(1).max(256),
});

/** One chat message, by role. */
export const chatMessage = z.discriminatedUnion('role', [
  systemMessage,
  developerMessage,
  userMessage,
  assistantMessage,
  toolMessage,
]);

/** A JSON Schema object supplied by the caller: kept as data, bounded in size by the body limit. */
const jsonSchemaObject = z.record(z.string(), z.unknown());

/** A function tool (`parameters` is the caller's JSON Schema, kept as data). */
export const functionTool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: toolName,
    description: z.string().max(16_384).optional(),
    parameters: jsonSchemaObject.optional(),
    strict: z.boolean().nullable().optional(),
  }),
  /** A prompt-cache breakpoint after this tool (Anthropic, Bedrock). */
  cache_control: cacheControl.optional(),
});

/** `none`, `auto`, `required`, or one named function. */
export const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: toolName }) }),
]);

/** Text, JSON object, or JSON Schema output. */
export const responseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
      description: z.string().max(16_384).optional(),
      schema: jsonSchemaObject.optional(),
      strict: z.boolean().nullable().optional(),
    }),
  }),
]);

const stop = z.union([z.string().min(1).max(1000), z.array(z.string().min(1).max(1000)).max(16)]);
const tokenLimit = z.number().int().min(1).max(10_000_000);

/** OpenAI's metadata rule: at most 16 pairs, keys up to 64 characters, values up to 512. */
export const openAiMetadata = z
  .record(z.string().min(1).max(64), z.string().max(512))
  .refine((value) => Object.keys(value).length <= 16, 'at most 16 keys');

/** The body of a chat completion request (unknown fields stripped). */
export const chatCompletionBody = z.object({
  model: z.string().min(1).max(256),
  messages: z.array(chatMessage).min(1).max(4096),
  tools: z.array(functionTool).max(512).optional(),
  tool_choice: toolChoice.optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: responseFormat.optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  max_tokens: tokenLimit.nullable().optional(),
  max_completion_tokens: tokenLimit.nullable().optional(),
  stop: stop.nullable().optional(),
  n: z.number().int().min(1).max(16).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  presence_penalty: z.number().min(-2).max(2).nullable().optional(),
  frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
  user: z.string().max(256).optional(),
  /** The caller's tags: kept in the request log, never sent upstream. */
  metadata: openAiMetadata.nullable().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  /** OpenAI's reasoning effort, for OpenAI-compatible hosts. */
  reasoning_effort: reasoningEffort.nullable().optional(),
  /** Anthropic's extended thinking, for Anthropic and Bedrock (Claude) providers. */
  thinking: thinkingConfig.optional(),
});

/**
 * The route's body schema: {@link chatCompletionBody} behind the steering guard. Use it for
 * `/v1/chat/completions` and `/api/providers/chat`.
 */
export const chatCompletionRequestSchema = refuseUpstreamSteering(chatCompletionBody);
