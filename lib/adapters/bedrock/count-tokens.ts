/**
 * Bedrock's CountTokens API for Claude models: the caller's Messages input as a Claude `InvokeModel`
 * body, counted by the model's own tokenizer (free, no usage). Bedrock counts for the bare foundation
 * model id (it refuses cross-region inference profiles and models without a counter, such as Nova),
 * so `us.anthropic.claude-…` is counted as `anthropic.claude-…`; other models are estimated by the
 * gateway instead.
 */
import { anthropicCountInput } from '../../ai/anthropic-wire.js';
import { requiredTokenCount } from '../../ai/usage.js';
import type { CountTokensOperation } from '../contract.js';
import { bedrockClient, bedrockSdk } from './client.js';
import { bareModelId, withBudget } from './invoke-model.js';

/** The `anthropic_version` of Claude's InvokeModel body on Bedrock. */
const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';
/** `max_tokens` the body must carry; it does not change the input count. */
const COUNT_MAX_TOKENS = 4096;

/** CountTokens for Claude models on Bedrock. */
export const bedrockCountTokens: CountTokensOperation = {
  supports: (model) => bareModelId(model).startsWith('anthropic.claude'),
  async count(ctx, request) {
    const budget = request.thinking?.type === 'enabled' ? request.thinking.budget_tokens : 0;
    const body = {
      anthropic_version: BEDROCK_ANTHROPIC_VERSION,
      max_tokens: Math.max(COUNT_MAX_TOKENS, budget + 1),
      ...anthropicCountInput(request),
    };
    const { CountTokensCommand } = await bedrockSdk();
    const command = new CountTokensCommand({
      modelId: bareModelId(ctx.model),
      input: { invokeModel: { body: new TextEncoder().encode(JSON.stringify(body)) } },
    });
    return withBudget(ctx, async (signal) => {
      const client = await bedrockClient(ctx);
      const output = await client.send(command, { abortSignal: signal });
      return { input_tokens: requiredTokenCount(output.inputTokens, 'inputTokens', 'bedrock') };
    });
  },
};
