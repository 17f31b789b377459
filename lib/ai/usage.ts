/**
 * Normalized usage: what a call consumed, as the provider bills it. Every number passes
 * {@link tokenCount} (or {@link quantity}): a negative, fractional, non-numeric or absurd value makes
 * the whole response a `bad_upstream_response` instead of reaching a usage counter or a quota. Parts
 * that do not add up (more cached than input tokens, more reasoning than output tokens) are an
 * accounting quirk, not a broken answer: {@link usageFrom} clamps them and the answer goes through.
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
  /**
   * The part of `input_tokens` written to the provider's prompt cache (every lifetime), billed at the
   * cache-write price; present only when not 0.
   */
  cache_write_tokens?: number;
  /** The part of `cache_write_tokens` written with a 1-hour lifetime (Anthropic, Bedrock); only when not 0. */
  cache_write_1h_tokens?: number;
  /** The part of `output_tokens` the model spent reasoning (thinking); only when reported and not 0. */
  reasoning_tokens?: number;
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
  /** `cache_write_tokens` is the gateway's addition (OpenAI's Responses API names it the same way). */
  prompt_tokens_details?: { cached_tokens: number; cache_write_tokens?: number };
  completion_tokens_details?: { reasoning_tokens: number };
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
  /** Prompt tokens written to the cache (every lifetime), part of `input`. */
  cacheWrite?: number | undefined;
  /** The 1-hour part of `cacheWrite`. */
  cacheWrite1h?: number | undefined;
  /** Reasoning tokens, part of `output`. */
  reasoning?: number | undefined;
}

/**
 * Builds a {@link NormalizedUsage} from validated parts; absent parts are 0, and the optional
 * fields appear only when not 0. Parts larger than the whole they belong to are clamped (cached and
 * written to at most the input, the 1-hour writes to at most the writes, reasoning to at most the
 * output): billing is computed from the whole, so a provider's inconsistent breakdown can only move
 * tokens between prices, never invent tokens, and never fails the answer.
 */
export function usageFrom(parts: UsageParts): NormalizedUsage {
  const input = parts.input ?? 0;
  const output = parts.output ?? 0;
  const cached = Math.min(parts.cached ?? 0, input);
  const usage: NormalizedUsage = { input_tokens: input, output_tokens: output, cached_input_tokens: cached };
  const writes = Math.min(parts.cacheWrite ?? 0, input - cached);
  const writes1h = Math.min(parts.cacheWrite1h ?? 0, writes);
  const reasoning = Math.min(parts.reasoning ?? 0, output);
  if (writes > 0) usage.cache_write_tokens = writes;
  if (writes1h > 0) usage.cache_write_1h_tokens = writes1h;
  if (reasoning > 0) usage.reasoning_tokens = reasoning;
  return usage;
}

/** The zero usage (an in-process provider with nothing to report, or a fixture). */
export const ZERO_USAGE: Readonly<NormalizedUsage> = Object.freeze({
  input_tokens: 0,
  output_tokens: 0,
  cached_input_tokens: 0,
});

/**
 * OpenAI's `usage` shape for a chat response or the final usage chunk. Reasoning tokens appear as
 * `completion_tokens_details.reasoning_tokens` (inside `completion_tokens`, as OpenAI counts them)
 * and cache writes as `prompt_tokens_details.cache_write_tokens`, each only when reported.
 */
export function toOpenAIUsage(usage: NormalizedUsage | null): OpenAIUsage {
  const u = usage ?? ZERO_USAGE;
  const out: OpenAIUsage = {
    prompt_tokens: u.input_tokens,
    completion_tokens: u.output_tokens,
    total_tokens: u.input_tokens + u.output_tokens,
    prompt_tokens_details: {
      cached_tokens: u.cached_input_tokens,
      ...(u.cache_write_tokens ? { cache_write_tokens: u.cache_write_tokens } : {}),
    },
  };
  if (u.reasoning_tokens) out.completion_tokens_details = { reasoning_tokens: u.reasoning_tokens };
  return out;
}
