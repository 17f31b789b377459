/**
 * The items of a conversation as the gateway keeps and returns them: OpenAI's `ResponseItem` shapes,
 * every item with an `id`. Input items get ids derived from their response's id (so an
 * `item_reference` names the response that holds it), string contents become parts, and statuses
 * are `completed`.
 */
import type { ResponseInputItem, ResponseMessagePart } from '../schemas/responses.js';

/** Text the model produced (chat answers carry neither annotations nor log probabilities here). */
export interface OutputTextPart {
  type: 'output_text';
  text: string;
  annotations: never[];
  logprobs: never[];
}
/** A refusal the model produced. */
export interface RefusalPart {
  type: 'refusal';
  refusal: string;
}
/** An input part of a user, system or developer message. */
export type InputPart =
  | { type: 'input_text'; text: string }
  | { type: 'input_image'; image_url: string; detail: 'low' | 'high' | 'auto' | 'original' };

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

/** A message from the caller (user, system, developer). */
export interface InputMessageItem {
  id: string;
  type: 'message';
  role: 'user' | 'system' | 'developer';
  content: InputPart[];
  status: ItemStatus;
}
/** A message from the model. */
export interface OutputMessageItem {
  id: string;
  type: 'message';
  role: 'assistant';
  content: Array<OutputTextPart | RefusalPart>;
  status: ItemStatus;
}
/** A call of a function tool. */
export interface FunctionCallItem {
  id: string;
  type: 'function_call';
  call_id: string;
  name: string;
  arguments: string;
  status: ItemStatus;
}
/** A function's result. */
export interface FunctionCallOutputItem {
  id: string;
  type: 'function_call_output';
  call_id: string;
  output: string | Array<{ type: 'input_text'; text: string }>;
  status: ItemStatus;
}
/** The model's reasoning: raw text in `content`, summaries in `summary`. */
export interface ReasoningItem {
  id: string;
  type: 'reasoning';
  summary: Array<{ type: 'summary_text'; text: string }>;
  content?: Array<{ type: 'reasoning_text'; text: string }>;
  encrypted_content?: string | null;
  status: ItemStatus;
}

/** What a response produces. */
export type OutputItem = OutputMessageItem | FunctionCallItem | ReasoningItem;
/** One item of a conversation (what `input_items` lists). */
export type ConversationItem = InputMessageItem | OutputItem | FunctionCallOutputItem;

/** The id of a response this gateway created: `resp_` and a generated id's 26 characters. */
export const RESPONSE_ID_PATTERN = /^resp_([0-9a-hjkmnp-tv-z]{26})$/;
const ITEM = /^[a-z]{2,4}_([0-9a-hjkmnp-tv-z]{26})_[io]\d{1,5}$/;

/** Whether `id` can name a response of this gateway (anything else is a 404 before any read). */
export const isResponseId = (id: string) => RESPONSE_ID_PATTERN.test(id);

/**
 * The id of the item at `index` of a response's input (`i`) or output (`o`), e.g.
 * `msg_01jz…_o0`: it carries the response's id, so a reference to it finds its response in one read.
 */
export function itemIdFor(responseId: string, prefix: string, where: 'i' | 'o', index: number): string {
  const suffix = RESPONSE_ID_PATTERN.exec(responseId)?.[1];
  if (suffix === undefined) throw new Error('not a response id');
  return `${prefix}_${suffix}_${where}${index}`;
}

/** The response holding an item this gateway named, or `undefined` for any other id. */
export function responseIdOfItem(itemId: string): string | undefined {
  const suffix = ITEM.exec(itemId)?.[1];
  return suffix === undefined ? undefined : `resp_${suffix}`;
}

function outputPart(part: ResponseMessagePart): OutputTextPart | RefusalPart | undefined {
  if (part.type === 'refusal') return { type: 'refusal', refusal: part.refusal };
  if (part.type === 'output_text' || part.type === 'input_text')
    return { type: 'output_text', text: part.text, annotations: [], logprobs: [] };
  return undefined;
}

function inputPart(part: ResponseMessagePart): InputPart | undefined {
  if (part.type === 'input_text' || part.type === 'output_text')
    return { type: 'input_text', text: part.text };
  if (part.type === 'input_image')
    return { type: 'input_image', image_url: part.image_url, detail: part.detail ?? 'auto' };
  return undefined;
}

type ResolvedInput = Exclude<ResponseInputItem, { type: 'item_reference' }>;

/** One input item in its kept form, with `id` (kept when the caller sent one). */
function toConversationItem(item: ResolvedInput, id: string): ConversationItem {
  const status = 'completed' as const;
  switch (item.type) {
    case 'message': {
      const parts: ResponseMessagePart[] =
        typeof item.content === 'string'
          ? [{ type: item.role === 'assistant' ? 'output_text' : 'input_text', text: item.content }]
          : item.content;
      if (item.role === 'assistant') {
        const content = parts.flatMap((p) => outputPart(p) ?? []);
        return { id: item.id ?? id, type: 'message', role: 'assistant', content, status };
      }
      const content = parts.flatMap((p) => inputPart(p) ?? []);
      return { id: item.id ?? id, type: 'message', role: item.role, content, status };
    }
    case 'function_call':
      return { ...item, id: item.id ?? id, status };
    case 'function_call_output':
      return { ...item, id: item.id ?? id, status };
    case 'reasoning': {
      const summary = item.summary.map((s) => ({ type: 'summary_text' as const, text: s.text }));
      const content = item.content?.map((c) => ({ type: 'reasoning_text' as const, text: c.text }));
      return {
        id: item.id,
        type: 'reasoning',
        summary,
        ...(content === undefined ? {} : { content }),
        ...(item.encrypted_content == null ? {} : { encrypted_content: item.encrypted_content }),
        status,
      };
    }
  }
}

const PREFIX: Record<ResolvedInput['type'], string> = {
  message: 'msg',
  function_call: 'fc',
  function_call_output: 'fco',
  reasoning: 'rs',
};

/** A reference to a kept item, resolved from storage before the conversation is translated. */
export type ItemReference = Extract<ResponseInputItem, { type: 'item_reference' }>;

/**
 * The new input of a response in kept form: a string input becomes one user message; items keep
 * the ids they came with, others get `<prefix>_<response>_i<n>`. References stay as they are.
 */
export function keptInput(
  input: string | readonly ResponseInputItem[],
  responseId: string,
): Array<ConversationItem | ItemReference> {
  const items: readonly ResponseInputItem[] =
    typeof input === 'string' ? [{ type: 'message', role: 'user', content: input }] : input;
  return items.map((item, index) =>
    item.type === 'item_reference'
      ? item
      : toConversationItem(item, itemIdFor(responseId, PREFIX[item.type], 'i', index)),
  );
}
