import type { AnthropicCountTokensRequest } from '../../ai/schemas/anthropic-messages.js';
import { type HandlerRequest, Reply } from '../../http/handler.js';
import { countTokens } from '../../services/ai/count-tokens.js';
import { gatewayHeaders } from '../../services/ai/headers.js';
import { deadlineFromRemaining } from '../../services/routing/index.js';

/** The header that says whether a count is the provider's own (`exact`) or the gateway's `estimated`. */
export const TOKEN_COUNT_HEADER = 'x-gateway-token-count';

/**
 * `POST /v1/messages/count_tokens` (Anthropic's shape, any model): `{input_tokens}`, with the
 * `x-gateway-*` headers of who counted and {@link TOKEN_COUNT_HEADER}.
 */
export async function serveCountTokens(
  request: HandlerRequest<AnthropicCountTokensRequest, unknown, unknown>,
) {
  const { deps } = request;
  const run = await countTokens(deps, {
    principal: request.principal,
    request: request.body,
    deadlineMs: deadlineFromRemaining(deps.now(), request.context.getRemainingTimeInMillis()),
  });
  return new Reply(
    200,
    { input_tokens: run.input_tokens },
    { ...gatewayHeaders(run, request.receivedAt), [TOKEN_COUNT_HEADER]: run.exactness },
  );
}
