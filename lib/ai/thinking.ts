/**
 * Small helpers for thinking blocks shared by the adapters and the Anthropic front (see
 * `schemas/thinking.ts` for what a block is and why it is never rewritten).
 */
import type { ChatCompletionRequest, ThinkingBlock } from './types.js';

/** The text of a message's thinking blocks, joined (redacted blocks have none). */
export function thinkingText(blocks: readonly ThinkingBlock[]): string {
  return blocks.map((block) => (block.type === 'thinking' ? block.thinking : '')).join('');
}

/** The end of a streamed thinking block: its signature (the text came as `reasoning_content`). */
export function signatureDelta(signature: string): ThinkingBlock {
  return { type: 'thinking', thinking: '', signature };
}

/**
 * Anthropic's `thinking` parameter, rebuilt field by field from a canonical request (for Anthropic,
 * and for Claude on Bedrock, which takes the same object); `undefined` when the request has none.
 */
export function thinkingParam(request: ChatCompletionRequest): Record<string, unknown> | undefined {
  const config = request.thinking;
  if (config === undefined) return undefined;
  const display = config.type === 'enabled' || config.type === 'adaptive' ? config.display : undefined;
  return {
    type: config.type,
    ...(config.type === 'enabled' ? { budget_tokens: config.budget_tokens } : {}),
    ...(display === undefined || display === null ? {} : { display }),
  };
}
