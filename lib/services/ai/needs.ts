import type { ChatCompletionRequest } from '../../ai/types.js';
import type { RequestNeeds } from '../routing/index.js';

/** Output tokens assumed when a request names no limit (strict quota holds, TPM admission). */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

/**
 * A cheap upper-leaning estimate of prompt tokens from text length (about 4 characters a token),
 * used only for admission and strict holds before the call; recorded usage always comes from the
 * provider's report. An image part counts as 1,000 tokens.
 */
export function estimateTokens(value: unknown): number {
  let chars = 0;
  let images = 0;
  const visit = (v: unknown): void => {
    if (typeof v === 'string') chars += v.length;
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      if ((v as { type?: unknown }).type === 'image_url' || (v as { type?: unknown }).type === 'image')
        images++;
      else Object.values(v).forEach(visit);
    }
  };
  visit(value);
  return Math.ceil(chars / 4) + images * 1000;
}

/** What a chat request needs from a model (vision, tools, JSON mode, context length). */
export function chatNeeds(request: ChatCompletionRequest): {
  needs: RequestNeeds;
  inputTokens: number;
  maxOutputTokens: number;
} {
  const vision = request.messages.some(
    (m) => Array.isArray(m.content) && m.content.some((part) => part.type === 'image_url'),
  );
  const inputTokens = estimateTokens(request.messages) + estimateTokens(request.tools ?? []);
  const maxOutputTokens = request.max_completion_tokens ?? request.max_tokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
  return {
    needs: {
      vision,
      tools: (request.tools?.length ?? 0) > 0,
      json_mode: request.response_format !== undefined && request.response_format.type !== 'text',
      contextTokens: inputTokens + maxOutputTokens,
    },
    inputTokens,
    maxOutputTokens,
  };
}
