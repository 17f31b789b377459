/**
 * Extended thinking on the wire, shared by both fronts. A thinking block is opaque to the gateway:
 * Anthropic signs it, and a client must send it back unchanged in the next turn (with tools), so it
 * is carried field by field and never rewritten. The OpenAI front carries the same blocks as the
 * assistant message's `thinking_blocks` (and their text as `reasoning_content`), the convention
 * OpenAI-compatible gateways use for Anthropic models.
 */
import * as z from 'zod';

/** Longest thinking text, signature or redacted payload accepted in a request (the body limit is lower). */
const MAX_THINKING_CHARS = 10_000_000;

/** A `thinking` block (its signature proves it came from the model) or a `redacted_thinking` one. */
export const thinkingBlock = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('thinking'),
    thinking: z.string().max(MAX_THINKING_CHARS),
    signature: z.string().max(MAX_THINKING_CHARS).optional(),
  }),
  z.object({ type: z.literal('redacted_thinking'), data: z.string().max(MAX_THINKING_CHARS) }),
]);

const display = z.enum(['summarized', 'omitted']).nullable().optional();

/**
 * Anthropic's `thinking` parameter: `enabled` with a budget (≥ 1024 tokens, counted in
 * `max_tokens`), `adaptive` (the model decides), `between_tools`, or `disabled`.
 */
export const thinkingConfig = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('enabled'),
    budget_tokens: z.number().int().min(1024).max(10_000_000),
    display,
  }),
  z.object({ type: z.literal('adaptive'), display }),
  z.object({ type: z.literal('between_tools') }),
  z.object({ type: z.literal('disabled') }),
]);

/** OpenAI's `reasoning_effort` values (passed to OpenAI-compatible hosts). */
export const reasoningEffort = z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']);
