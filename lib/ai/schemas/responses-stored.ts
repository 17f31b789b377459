/**
 * The stored-response routes of the Responses API (`GET`/`DELETE /v1/responses/{id}`, `GET
 * /v1/responses/{id}/input_items`): path and query parameters, and the shapes they answer (for the
 * OpenAPI description; items are documented loosely, as OpenAI's item union is large).
 */
import * as z from 'zod';
import { objectId } from '../../schemas/common.js';

/** `{id}` of a stored response: a generated id (`resp_…`); anything else is a 404 before any read. */
export const storedResponseParams = z.strictObject({ id: objectId });

/** OpenAI's list parameters: `after` is the id of the last item of the previous page. */
export const inputItemsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  order: z.enum(['asc', 'desc']).default('desc'),
  after: z.string().min(1).max(256).optional(),
  /** Accepted and not acted on: every item is returned whole. */
  include: z.string().max(256).optional(),
});

/** Validated `input_items` parameters. */
export type InputItemsQuery = z.output<typeof inputItemsQuery>;

/** One conversation item (message, function call or output, reasoning). */
const item = z.looseObject({ id: z.string(), type: z.string() });

/** The `Response` object. */
export const responseObject = z.looseObject({
  id: z.string(),
  object: z.literal('response'),
  created_at: z.number(),
  status: z.enum(['in_progress', 'completed', 'incomplete', 'failed']),
  model: z.string(),
  output: z.array(item),
  previous_response_id: z.string().nullable(),
  store: z.boolean(),
  usage: z
    .looseObject({ input_tokens: z.number(), output_tokens: z.number(), total_tokens: z.number() })
    .nullable(),
});

/** What `DELETE /v1/responses/{id}` answers. */
export const deletedResponse = z.object({
  id: z.string(),
  object: z.literal('response'),
  deleted: z.literal(true),
});

/** A page of input items, in OpenAI's list shape. */
export const inputItemsPage = z.object({
  object: z.literal('list'),
  data: z.array(item),
  first_id: z.string().nullable(),
  last_id: z.string().nullable(),
  has_more: z.boolean(),
});
