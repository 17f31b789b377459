/**
 * Normalized usage: what a call consumed, as the provider reported it. Every number passes
 * {@link tokenCount} (or {@link quantity}): a negative, fractional, non-numeric or absurd value makes
 * the whole response a `bad_upstream_response` instead of reaching a usage counter or a quota.
 */
import { badUpstreamResponse } from '../upstream/errors.js';

/**
 * Usage of one call. Token semantics follow OpenAI: `input_tokens` counts every prompt token,
 * cached ones included; `cached_input_tokens` is the part read from the provider's prompt cache.
 */
export interface NormalizedUsage {
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  /** Seconds of audio transcribed (transcription). */
  audio_seconds?: number;
  /** Characters synthesized (speech). */
  characters?: number;
  /** Cohere-style billing units of a rerank call. */
  search_units?: number;
  /** Images generated (image generation), with the size (`WxH`) and quality they were made at. */
  images?: number;
  image_size?: string;
  image_quality?: string;
}

/** OpenAI's `usage` object, as returned on chat completions and the final stream chunk. */
export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
}

/** More tokens than any single call can use (the largest context windows are ~2M). */
export const MAX_TOKENS_PER_CALL = 50_000_000;
/** More audio than one transcription can carry, in seconds (a day). */
export const MAX_AUDIO_SECONDS = 86_400;

/**
 * Validates one reported token count.
 *
 * @returns the count, or `undefined` when the provider did not report it (`undefined`/`null`).
 * @throws UpstreamError `bad_upstream_response` when it is reported but not an integer in
 *   0..{@link MAX_TOKENS_PER_CALL}.
 */
export function tokenCount(value: unknown, name: string, provider: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_TOKENS_PER_CALL) {
    throw badUpstreamResponse(provider, `${provider} reported an invalid usage value for ${name}`);
  }
  return value;
}

/**
 * A token count the answer must carry (a token counter's result).
 *
 * @throws UpstreamError `bad_upstream_response` when absent or invalid.
 */
export function requiredTokenCount(value: unknown, name: string, provider: string): number {
  const tokens = tokenCount(value, name, provider);
  if (tokens === undefined)
    throw badUpstreamResponse(provider, `${provider} answered a count without ${name}`);
  return tokens;
}

/**
 * Validates a reported non-integer quantity (seconds, units) in `0..max`.
 *
 * @throws UpstreamError `bad_upstream_response` when reported but out of range or not finite.
 */
export function quantity(value: unknown, name: string, provider: string, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    throw badUpstreamResponse(provider, `${provider} reported an invalid usage value for ${name}`);
  }
  return value;
}

/** Raw counts an adapter read, each already validated (or absent). */
export interface UsageParts {
  input?: number | undefined;
  output?: number | undefined;
  cached?: number | undefined;
}

/**
 * Builds a {@link NormalizedUsage} from validated parts; absent parts are 0.
 *
 * @throws UpstreamError `bad_upstream_response` when cached tokens exceed input tokens.
 */
export function usageFrom(parts: UsageParts, provider: string): NormalizedUsage {
  const usage = {
    input_tokens: parts.input ?? 0,
    output_tokens: parts.output ?? 0,
    cached_input_tokens: parts.cached ?? 0,
  };
  if (usage.cached_input_tokens > usage.input_tokens) {
    throw badUpstreamResponse(provider, `${provider} reported more cached than input tokens`);
  }
  return usage;
}

/** The zero usage (an in-process provider with nothing to report, or a fixture). */
export const ZERO_USAGE: Readonly<NormalizedUsage> = Object.freeze({
  input_tokens: 0,
  output_tokens: 0,
  cached_input_tokens: 0,
});

/** OpenAI's `usage` shape for a chat response or the final usage chunk. */
export function toOpenAIUsage(usage: NormalizedUsage | null): OpenAIUsage {
  const u = usage ?? ZERO_USAGE;
  return {
    prompt_tokens: u.input_tokens,
    completion_tokens: u.output_tokens,
    total_tokens: u.input_tokens + u.output_tokens,
    prompt_tokens_details: { cached_tokens: u.cached_input_tokens },
  };
}
