/**
 * The Anthropic Messages request, as `/v1/messages` accepts it (so the official Anthropic SDK works
 * against the gateway). Behind the steering guard; unknown fields stripped. Server tools (web search,
 * code execution), documents and citations are not accepted: every provider must be able to serve it.
 */
import * as z from 'zod';
import { cacheControl as breakpoint, toolName } from './chat.js';

const cacheControl = breakpoint.optional();

import { refuseUpstreamSteering } from './steering.js';
import { thinkingBlock, thinkingConfig } from './thinking.js';

/** An Anthropic text block. */
export const anthropicTextBlock = z.object({
  type: z.literal('text'),
  text: z.string(),
  cache_control: cacheControl,
});

/** An Anthropic image block (base64 or URL source). */
export const anthropicImageBlock = z.object({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.object({
      type: z.literal('base64'),
      media_type: z.enum(['image/jpeg', 'image/png', 'image/gif', 'image/webp']),
      data: z.string().min(1).max(20_000_000),
    }),
    z.object({
      type: z.literal('url'),
      url: z
        .string()
        .regex(/^https?:\/\//i)
        .max(8192),
    }),
  ]),
  cache_control: cacheControl,
});

const toolUseBlock = z.object({
  type: z.literal('tool_use'),
  id: z.string().min(1).max(256),
  name: toolName,
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
});

const toolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1).max(256),
  content: z
    .union([z.string(), z.array(z.discriminatedUnion('type', [anthropicTextBlock, anthropicImageBlock]))])
    .optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
});

/** Content blocks a `/v1/messages` caller may send. */
export const anthropicContentBlock = z.discriminatedUnion('type', [
  anthropicTextBlock,
  anthropicImageBlock,
  toolUseBlock,
  toolResultBlock,
  ...thinkingBlock.options,
]);

/** One turn of a Messages request. */
export const anthropicMessage = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(anthropicContentBlock).max(1000)]),
});

const toolChoiceFlags = { disable_parallel_tool_use: z.boolean().optional() };

/** One turn of a Messages request. */
export const anthropicMessagesBody = z.object({
  model: z.string().min(1).max(256),
  max_tokens: z.number().int().min(1).max(10_000_000),
  messages: z.array(anthropicMessage).min(1).max(4096),
  system: z.union([z.string(), z.array(anthropicTextBlock).max(100)]).optional(),
  stop_sequences: z.array(z.string().min(1).max(1000)).max(16).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  stream: z.boolean().optional(),
  tools: z
    .array(
      z.object({
        type: z.literal('custom').optional(),
        name: toolName,
        description: z.string().max(16_384).optional(),
        input_schema: z.record(z.string(), z.unknown()),
        cache_control: cacheControl,
      }),
    )
    .max(512)
    .optional(),
  tool_choice: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('auto'), ...toolChoiceFlags }),
      z.object({ type: z.literal('any'), ...toolChoiceFlags }),
      z.object({ type: z.literal('none') }),
      z.object({ type: z.literal('tool'), name: toolName, ...toolChoiceFlags }),
    ])
    .optional(),
  metadata: z.object({ user_id: z.string().max(256).optional() }).optional(),
  thinking: thinkingConfig.optional(),
});

/** The route's body schema for `/v1/messages`. */
export const anthropicMessagesRequestSchema = refuseUpstreamSteering(anthropicMessagesBody);

/** A validated Messages request. */
export type AnthropicMessagesRequest = z.output<typeof anthropicMessagesBody>;
/** A validated content block. */
export type AnthropicContentBlock = z.output<typeof anthropicContentBlock>;

/**
 * A token-count request (`POST /v1/messages/count_tokens`): what a Messages request would send as
 * input (model, system, messages, tools, tool choice, thinking), without the generation settings.
 */
export const anthropicCountTokensBody = anthropicMessagesBody
  .pick({ model: true, messages: true, system: true, tools: true, tool_choice: true })
  .extend({
    thinking: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('enabled'), budget_tokens: z.number().int().min(1).max(10_000_000) }),
        z.object({ type: z.literal('disabled') }),
      ])
      .optional(),
  });

/** The route's body schema for `/v1/messages/count_tokens`. */
export const anthropicCountTokensRequestSchema = refuseUpstreamSteering(anthropicCountTokensBody);

/** A validated token-count request. */
export type AnthropicCountTokensRequest = z.output<typeof anthropicCountTokensBody>;
