/**
 * An OpenAI-compatible chat answer → canonical. Rebuilt field by field (an upstream cannot smuggle
 * fields to our caller), with every usage number validated.
 */
import { makeCompletion } from '../../ai/chat-builders.js';
import { arr, field, isObject, num, objects, path, str } from '../../ai/read.js';
import type { ChatChoice, FinishReason, ToolCall, ToolCallDelta } from '../../ai/types.js';
import { type NormalizedUsage, tokenCount, usageFrom } from '../../ai/usage.js';
import { badUpstreamResponse } from '../../upstream/errors.js';
import type { CallContext, ChatResult } from '../contract.js';

const FINISH: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
};

/** An OpenAI finish reason (unknown reasons become `stop`), `null` while streaming. */
export function finishReason(value: unknown): FinishReason | null {
  const text = str(value);
  if (text === undefined) return null;
  return FINISH[text] ?? 'stop';
}

/**
 * Reads OpenAI `usage`: prompt and completion tokens; the cached part of the prompt
 * (`prompt_tokens_details.cached_tokens`, or a top-level `cached_tokens` as some compatible hosts
 * send); cache writes (`prompt_tokens_details.cache_write_tokens`, as OpenAI's Responses API names
 * them); and the reasoning part of the completion (`completion_tokens_details.reasoning_tokens`),
 * which OpenAI bills as completion tokens.
 *
 * @returns `null` when absent; validated counts otherwise.
 * @throws UpstreamError `bad_upstream_response` on an invalid number.
 */
export function readOpenAIUsage(usage: unknown, provider: string): NormalizedUsage | null {
  if (!isObject(usage)) return null;
  const count = (value: unknown, name: string) => tokenCount(value, name, provider);
  return usageFrom({
    input: count(usage.prompt_tokens, 'prompt_tokens'),
    output: count(usage.completion_tokens, 'completion_tokens'),
    cached:
      count(path(usage, 'prompt_tokens_details', 'cached_tokens'), 'cached_tokens') ??
      count(usage.cached_tokens, 'cached_tokens'),
    cacheWrite: count(path(usage, 'prompt_tokens_details', 'cache_write_tokens'), 'cache_write_tokens'),
    reasoning: count(path(usage, 'completion_tokens_details', 'reasoning_tokens'), 'reasoning_tokens'),
  });
}

/**
 * The reasoning text of a message or delta: `reasoning_content` (DeepSeek, vLLM, the convention of
 * OpenAI-compatible gateways) or `reasoning` (some Hugging Face router providers, OpenRouter).
 */
export function reasoningText(value: Record<string, unknown>): string | undefined {
  return str(value.reasoning_content) ?? str(value.reasoning);
}

function toolCalls(value: unknown, provider: string): ToolCall[] | undefined {
  const list = arr(value);
  if (list === undefined) return undefined;
  return list.map((item) => {
    const name = str(path(item, 'function', 'name'));
    const id = str(field(item, 'id'));
    if (name === undefined || id === undefined)
      throw badUpstreamResponse(provider, `${provider} sent a malformed tool call`);
    return {
      id,
      type: 'function',
      function: { name, arguments: str(path(item, 'function', 'arguments')) ?? '' },
    };
  });
}

/** Stream tool-call fragments, rebuilt. */
export function toolCallDeltas(value: unknown): ToolCallDelta[] | undefined {
  const list = arr(value);
  if (list === undefined) return undefined;
  return objects(list).map((item, position) => {
    const delta: ToolCallDelta = { index: num(item.index) ?? position };
    const id = str(item.id);
    if (id !== undefined) {
      delta.id = id;
      delta.type = 'function';
    }
    const fn = field(item, 'function');
    if (isObject(fn)) {
      delta.function = {};
      const name = str(fn.name);
      const args = str(fn.arguments);
      if (name !== undefined) delta.function.name = name;
      if (args !== undefined) delta.function.arguments = args;
    }
    return delta;
  });
}

function choice(item: unknown, position: number, provider: string): ChatChoice {
  const message = field(item, 'message');
  if (!isObject(message)) throw badUpstreamResponse(provider, `${provider} sent a choice without a message`);
  const calls = toolCalls(message.tool_calls, provider);
  const refusal = str(message.refusal);
  const reasoning = reasoningText(message);
  return {
    index: num(field(item, 'index')) ?? position,
    message: {
      role: 'assistant',
      content: str(message.content) ?? null,
      ...(calls && calls.length > 0 ? { tool_calls: calls } : {}),
      ...(refusal === undefined ? {} : { refusal }),
      ...(reasoning === undefined || reasoning === '' ? {} : { reasoning_content: reasoning }),
    },
    finish_reason: finishReason(field(item, 'finish_reason')) ?? (calls?.length ? 'tool_calls' : 'stop'),
    logprobs: null,
  };
}

/** Maps a chat completion body. */
export function chatResponse(ctx: CallContext, body: unknown): ChatResult {
  const provider = ctx.provider.provider_type;
  const choices = arr(field(body, 'choices'));
  if (!isObject(body) || choices === undefined || choices.length === 0) {
    throw badUpstreamResponse(provider, `${provider} sent a chat answer without choices`);
  }
  const usage = readOpenAIUsage(body.usage, provider);
  const base = {
    id: str(body.id) ?? `chatcmpl-${ctx.deps.now().toString(36)}`,
    created: num(body.created) ?? Math.floor(ctx.deps.now() / 1000),
    model: str(body.model) ?? ctx.model,
  };
  const [first, ...rest] = choices.map((item, index) => choice(item, index, provider));
  const response = makeCompletion(base, first!.message, first!.finish_reason, usage);
  response.choices.push(...rest);
  const fingerprint = str(body.system_fingerprint);
  if (fingerprint !== undefined) response.system_fingerprint = fingerprint;
  return { response, usage };
}
