/**
 * Facts about Anthropic's Messages API shared by the `anthropic` provider (canonical → Anthropic
 * upstream) and the `/v1/messages` compatibility layer (Anthropic caller → canonical): stop reasons
 * both ways, usage both ways, and the status each error type stands for.
 */
import type { AnthropicCountTokensRequest } from './schemas/anthropic-messages.js';
import type { FinishReason } from './types.js';
import type { NormalizedUsage } from './usage.js';

/** The `anthropic-version` header value the gateway speaks. */
export const ANTHROPIC_VERSION = '2023-06-01';

const TO_FINISH: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** Anthropic `stop_reason` → OpenAI `finish_reason` (unknown reasons become `stop`). */
export function anthropicToFinish(stopReason: string | undefined | null): FinishReason {
  return (stopReason ? TO_FINISH[stopReason] : undefined) ?? 'stop';
}

/** Stop reasons the gateway sends to Anthropic callers. */
export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';

/** OpenAI `finish_reason` → Anthropic `stop_reason`. */
export function finishToAnthropic(finish: FinishReason | null): AnthropicStopReason {
  switch (finish) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/** The HTTP status Anthropic documents for each error `type` (used for in-stream `error` events). */
export const ANTHROPIC_ERROR_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** Anthropic's usage object. `input_tokens` there excludes cache reads and writes. */
export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens_details?: { thinking_tokens: number };
}

/**
 * Normalized usage → Anthropic's split: uncached input, cache writes (with the 5-minute/1-hour
 * split), cache reads, output, and the thinking part of the output when it was reported.
 */
export function toAnthropicUsage(usage: NormalizedUsage | null): AnthropicUsage {
  const u = usage ?? { input_tokens: 0, output_tokens: 0, cached_input_tokens: 0 };
  const writes = u.cache_write_tokens ?? 0;
  const writes1h = u.cache_write_1h_tokens ?? 0;
  return {
    input_tokens: u.input_tokens - u.cached_input_tokens - writes,
    output_tokens: u.output_tokens,
    cache_creation_input_tokens: writes,
    cache_read_input_tokens: u.cached_input_tokens,
    ...(writes > 0
      ? {
          cache_creation: {
            ephemeral_5m_input_tokens: writes - writes1h,
            ephemeral_1h_input_tokens: writes1h,
          },
        }
      : {}),
    ...(u.reasoning_tokens ? { output_tokens_details: { thinking_tokens: u.reasoning_tokens } } : {}),
  };
}

/**
 * The input fields of a token count, as Anthropic's Messages format has them (for Anthropic's
 * `count_tokens` and Bedrock's CountTokens over a Claude `InvokeModel` body). The request was
 * validated by the route schema, which strips every field it does not name.
 */
export function anthropicCountInput(request: AnthropicCountTokensRequest): Record<string, unknown> {
  const out: Record<string, unknown> = { messages: request.messages };
  if (request.system !== undefined) out.system = request.system;
  if (request.tools !== undefined) out.tools = request.tools;
  if (request.tool_choice !== undefined) out.tool_choice = request.tool_choice;
  if (request.thinking !== undefined) out.thinking = request.thinking;
  return out;
}
