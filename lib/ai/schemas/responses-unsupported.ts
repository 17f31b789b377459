/**
 * What a `/v1/responses` body may ask for that no provider behind the gateway can serve: each is a
 * 400 whose message names the item, part, tool or parameter (see `lib/schemas/unsupported.ts`).
 * Run before the schema, which then sees only what it can validate; it also gives items without a
 * `type` theirs (a message when they have a `role`, else an item reference), as OpenAI does.
 *
 * Every provider is served through the chat translation, so OpenAI's built-in tools (web search,
 * file search, code interpreter, computer use, image generation, MCP, shell, ...) exist nowhere.
 */
import type * as z from 'zod';
import { unsupportedIssue } from '../../errors.js';

/** Input item types the translation carries (`item_reference` is resolved from storage first). */
export const INPUT_ITEM_TYPES = new Set([
  'message',
  'function_call',
  'function_call_output',
  'reasoning',
  'item_reference',
]);
/** Content part types a message may carry, by role: images come from users, refusals from the model. */
const PART_TYPES_BY_ROLE: Record<string, Set<string>> = {
  user: new Set(['input_text', 'output_text', 'input_image']),
  assistant: new Set(['input_text', 'output_text', 'refusal']),
  system: new Set(['input_text', 'output_text']),
  developer: new Set(['input_text', 'output_text']),
};
/** Most marked issues reported for one body. */
const MAX_ISSUES = 20;

type Ctx = z.core.$RefinementCtx;
type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const label = (value: unknown) => JSON.stringify(String(value).slice(0, 64));

function report(ctx: Ctx, path: (string | number)[], message: string, code: string): void {
  if (ctx.issues.length >= MAX_ISSUES) return;
  ctx.issues.push(unsupportedIssue(ctx.value, path, message, code));
}

function checkParts(parts: unknown, at: (string | number)[], allowed: Set<string>, ctx: Ctx): void {
  if (!Array.isArray(parts)) return;
  for (const [index, part] of parts.entries()) {
    if (!isRecord(part) || typeof part.type !== 'string') continue;
    const path = [...at, index];
    if (!allowed.has(part.type)) {
      report(
        ctx,
        [...path, 'type'],
        `content part type ${label(part.type)} is not supported in this message`,
        'unsupported_input',
      );
    } else if (part.type === 'input_image' && part.image_url == null && part.file_id != null) {
      report(
        ctx,
        [...path, 'file_id'],
        'images by file_id are not supported (there is no Files API here): send image_url',
        'unsupported_input',
      );
    }
  }
}

/** The item with its implied `type`, after reporting what cannot be served. */
function checkItem(item: unknown, at: (string | number)[], ctx: Ctx): unknown {
  if (!isRecord(item)) return item;
  const type =
    item.type ?? (item.role !== undefined ? 'message' : item.id !== undefined ? 'item_reference' : undefined);
  if (typeof type !== 'string') return item;
  if (!INPUT_ITEM_TYPES.has(type)) {
    report(ctx, [...at, 'type'], `input item type ${label(type)} is not supported`, 'unsupported_input');
  } else if (type === 'message') {
    const allowed = PART_TYPES_BY_ROLE[String(item.role)];
    if (allowed) checkParts(item.content, [...at, 'content'], allowed, ctx);
  } else if (type === 'function_call_output') {
    checkParts(item.output, [...at, 'output'], new Set(['input_text']), ctx);
  }
  return item.type === type ? item : { ...item, type };
}

function checkTools(body: Json, ctx: Ctx): void {
  if (Array.isArray(body.tools)) {
    for (const [index, tool] of body.tools.entries()) {
      if (!isRecord(tool) || typeof tool.type !== 'string' || tool.type === 'function') continue;
      report(
        ctx,
        ['tools', index, 'type'],
        `tool ${label(tool.type)} is not available: the providers of this gateway are served through chat completions, which offer function tools only`,
        'unsupported_tool',
      );
    }
  }
  const choice = body.tool_choice;
  if (isRecord(choice) && typeof choice.type === 'string' && choice.type !== 'function') {
    report(
      ctx,
      ['tool_choice', 'type'],
      `tool_choice ${label(choice.type)} is not available: choose none, auto, required or a function`,
      'unsupported_tool',
    );
  }
}

function checkParameters(body: Json, ctx: Ctx): void {
  const refused: Array<[string, boolean, string]> = [
    ['background', body.background === true, 'background responses are not supported'],
    [
      'conversation',
      body.conversation != null,
      'the Conversations API is not supported: use previous_response_id',
    ],
    ['prompt', body.prompt != null, 'stored prompt templates are not supported'],
  ];
  for (const [field, present, message] of refused) {
    if (present) report(ctx, [field], message, 'unsupported_parameter');
  }
}

/**
 * The preprocess step of the Responses body: reports what cannot be served (400s) and fills in
 * implied item types. Anything that is not an object passes through for the schema to refuse.
 */
export function markUnsupported(value: unknown, ctx: Ctx): unknown {
  if (!isRecord(value)) return value;
  checkParameters(value, ctx);
  checkTools(value, ctx);
  if (!Array.isArray(value.input)) return value;
  const input = value.input.map((item, index) => checkItem(item, ['input', index], ctx));
  return { ...value, input };
}
