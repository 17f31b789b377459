/**
 * Anthropic's token counter (`POST /v1/messages/count_tokens`): the caller's Messages input (already
 * validated and stripped to the fields a count takes) for the routed model, answered with
 * `{input_tokens}`. Counting is free and reports no usage.
 */
import { anthropicCountInput } from '../../ai/anthropic-wire.js';
import { field } from '../../ai/read.js';
import type { AnthropicCountTokensRequest } from '../../ai/schemas/anthropic-messages.js';
import type { TokenCount } from '../../ai/types.js';
import { requiredTokenCount } from '../../ai/usage.js';
import type { HttpWire } from '../contract.js';
import { messagesPath } from './api.js';

/** The count_tokens wire. */
export const anthropicCountTokensWire: HttpWire<AnthropicCountTokensRequest, TokenCount> = {
  request: (ctx, request) => ({
    path: `${messagesPath(ctx)}/count_tokens`,
    json: { model: ctx.model, ...anthropicCountInput(request) },
  }),
  response: (_ctx, body) => ({
    input_tokens: requiredTokenCount(field(body, 'input_tokens'), 'input_tokens', 'anthropic'),
  }),
};
