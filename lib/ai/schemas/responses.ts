/**
 * The OpenAI Responses request, as `POST /v1/responses` accepts it (the official SDKs, the AI SDK and
 * LangChain call it). Field names follow OpenAI's API reference. Behind the steering guard; unknown
 * fields are stripped. What no provider of the gateway can serve — OpenAI's built-in tools, input
 * item types the chat translation cannot carry, background mode, stored prompts and conversations —
 * is refused with a 400 that names it (see `responses-unsupported.ts`); a field that breaks a rule is
 * a 422 like everywhere else.
 */
import * as z from 'zod';
import { imageUrl, openAiMetadata, toolName } from './chat.js';
import { markUnsupported } from './responses-unsupported.js';
import { refuseUpstreamSteering } from './steering.js';

const itemId = z.string().min(1).max(256);
const callId = z.string().min(1).max(256);
const status = z.enum(['in_progress', 'completed', 'incomplete']).nullable().optional();
const text = z.string().max(10_000_000);

/** A text part of an input message. */
export const inputTextPart = z.object({ type: z.literal('input_text'), text });
/** An image part of an input message (a URL or a data URL; `file_id` images are refused). */
export const inputImagePart = z.object({
  type: z.literal('input_image'),
  image_url: imageUrl,
  detail: z.enum(['low', 'high', 'auto', 'original']).optional(),
});
/** Text the model produced, as a client sends it back in an assistant message. */
export const outputTextPart = z.object({ type: z.literal('output_text'), text });
/** A refusal the model produced, sent back in an assistant message. */
export const refusalPart = z.object({ type: z.literal('refusal'), refusal: text });

/** A part of a message item's `content`. */
export const messagePart = z.discriminatedUnion('type', [
  inputTextPart,
  inputImagePart,
  outputTextPart,
  refusalPart,
]);

/** A message item (`type` may be omitted: the easy input message). */
export const messageItem = z.object({
  type: z.literal('message'),
  id: itemId.optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([text, z.array(messagePart).max(1000)]),
  status,
  phase: z.enum(['commentary', 'final_answer']).nullable().optional(),
});

/** A call of one of the caller's function tools, as the model made it. */
export const functionCallItem = z.object({
  type: z.literal('function_call'),
  id: itemId.optional(),
  call_id: callId,
  name: toolName,
  arguments: z.string().max(1_000_000),
  status,
});

/** What the caller's function returned for a call. */
export const functionCallOutputItem = z.object({
  type: z.literal('function_call_output'),
  id: itemId.nullable().optional(),
  call_id: callId,
  output: z.union([text, z.array(inputTextPart).max(1000)]),
  status,
});

const reasoningText = z.object({ type: z.string().max(64), text });

/** A reasoning item of an earlier answer (kept in the conversation, not sent to chat providers). */
export const reasoningItem = z.object({
  type: z.literal('reasoning'),
  id: itemId,
  summary: z.array(reasoningText).max(1000).default([]),
  content: z.array(reasoningText).max(1000).optional(),
  encrypted_content: z.string().max(10_000_000).nullable().optional(),
  status,
});

/** A stored item of an earlier response of the same key, by id (the AI SDK sends these). */
export const itemReference = z.object({ type: z.literal('item_reference'), id: itemId });

/** One item of `input`. */
export const responseInputItem = z.discriminatedUnion('type', [
  messageItem,
  functionCallItem,
  functionCallOutputItem,
  reasoningItem,
  itemReference,
]);

/** A function tool in the Responses shape (flat: `name` beside `type`). */
export const responsesFunctionTool = z.object({
  type: z.literal('function'),
  name: toolName,
  description: z.string().max(16_384).nullable().optional(),
  parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  strict: z.boolean().nullable().optional(),
});

/** `none`, `auto`, `required`, or one named function. */
export const responsesToolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), name: toolName }),
]);

/** `text.format`: plain text, a JSON object, or JSON that follows a schema. */
export const responsesTextFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    schema: z.record(z.string(), z.unknown()),
    description: z.string().max(16_384).optional(),
    strict: z.boolean().nullable().optional(),
  }),
]);

/** OpenAI's metadata rule (the same as chat's). */
export const responsesMetadata = openAiMetadata;

/** The body of `POST /v1/responses` (unknown fields stripped). */
export const responsesBody = z.object({
  model: z.string().min(1).max(256),
  input: z.union([text, z.array(responseInputItem).max(4096)]).optional(),
  instructions: text.nullable().optional(),
  previous_response_id: z.string().min(1).max(256).nullable().optional(),
  tools: z.array(responsesFunctionTool).max(512).optional(),
  tool_choice: responsesToolChoice.optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  text: z
    .object({
      format: responsesTextFormat.optional(),
      verbosity: z.enum(['low', 'medium', 'high']).nullable().optional(),
    })
    .optional(),
  max_output_tokens: z.number().int().min(1).max(10_000_000).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  metadata: responsesMetadata.nullable().optional(),
  store: z.boolean().nullable().optional(),
  stream: z.boolean().nullable().optional(),
  user: z.string().max(256).optional(),
  safety_identifier: z.string().max(256).nullable().optional(),
  /** Accepted and not acted on: the gateway never truncates (see `docs/responses.md`). */
  truncation: z.enum(['auto', 'disabled']).nullable().optional(),
  /** Accepted and not acted on: reasoning effort and summaries are the provider's own. */
  reasoning: z
    .object({
      effort: z.string().max(32).nullable().optional(),
      summary: z.string().max(32).nullable().optional(),
    })
    .nullable()
    .optional(),
});

/**
 * The route's body schema for `/v1/responses`: the steering guard, then the 400s for what the
 * gateway cannot serve, then {@link responsesBody}.
 */
export const responsesRequestSchema = refuseUpstreamSteering(z.preprocess(markUnsupported, responsesBody));

/** A validated Responses request. */
export type ResponsesRequest = z.output<typeof responsesBody>;
/** A validated input item. */
export type ResponseInputItem = z.output<typeof responseInputItem>;
/** A validated part of a message item. */
export type ResponseMessagePart = z.output<typeof messagePart>;
