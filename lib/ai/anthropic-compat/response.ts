/**
 * Canonical completion → Anthropic Message, and gateway errors → Anthropic's error envelope, so the
 * Anthropic SDK reads answers and failures from any provider.
 */
import { GatewayError } from '../../errors.js';
import { UpstreamError, type UpstreamErrorType } from '../../upstream/errors.js';
import { type AnthropicUsage, finishToAnthropic, toAnthropicUsage } from '../anthropic-wire.js';
import { parseToolArguments } from '../chat-builders.js';
import type { ChatCompletion, ReportedUsage } from '../types.js';

/** A content block of an answer to `/v1/messages`. */
export type AnthropicOutBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

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
 * Converts the first choice of a completion.
 *
 * @param usage - the call's usage as the provider reported it (Anthropic splits cached input).
 */
export function canonicalToAnthropic(completion: ChatCompletion, usage: ReportedUsage): AnthropicMessage {
  const choice = completion.choices[0];
  const content: AnthropicOutBlock[] = [];
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

const ERROR_TYPES: Partial<Record<UpstreamErrorType, string>> = {
  invalid_request: 'invalid_request_error',
  unsupported: 'invalid_request_error',
  not_found: 'not_found_error',
  request_too_large: 'request_too_large',
  rate_limited: 'rate_limit_error',
  quota_exceeded: 'rate_limit_error',
  overloaded: 'overloaded_error',
  timeout: 'timeout_error',
};

const BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
  503: 'overloaded_error',
  504: 'timeout_error',
};

/** Anthropic's error `type` for a gateway error (`api_error` for anything else). */
export function anthropicErrorType(error: unknown): string {
  if (error instanceof UpstreamError) return ERROR_TYPES[error.type] ?? 'api_error';
  if (error instanceof GatewayError) return BY_STATUS[error.statusCode] ?? 'api_error';
  return 'api_error';
}

/**
 * The `{"type": "error", "error": {type, message}}` envelope (also the payload of a stream `error`
 * event). Messages of unexposed errors are replaced, as in the gateway's own envelope.
 */
export function anthropicErrorBody(error: unknown): {
  type: 'error';
  error: { type: string; message: string };
} {
  const message =
    error instanceof GatewayError && error.expose ? error.message : 'An internal error occurred.';
  return { type: 'error', error: { type: anthropicErrorType(error), message } };
}
