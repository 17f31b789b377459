import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { presentedKey } from '../../lib/auth/api-key.js';
import { authenticate } from '../../lib/auth/authenticate.js';
import { toAuthorizerContext } from '../../lib/auth/principal.js';
import { describeError, logger } from '../../lib/observability.js';
import { bindToContainer } from '../../lib/runtime/container.js';
import type { Gateway } from '../../lib/runtime/gateway.js';

/** `arn:aws:execute-api:region:account:api/stage/*`: the policy covers every route of the API. */
function apiWildcard(methodArn: string): string {
  const [arn = '', stage = '*'] = methodArn.split('/');
  return `${arn}/${stage}/*`;
}

/**
 * The REQUEST authorizer. It authenticates only (a valid key maps to a principal); each handler
 * then checks the route's access class, so a cached Allow can safely cover the whole API. Any
 * failure (no key, unknown, revoked, expired, or the table or pepper unreadable) is the same
 * `Unauthorized`, which API Gateway answers with one generic 401 body that never echoes the key.
 * Revocation applies within `AUTH_CACHE_TTL_SECONDS` plus the API Gateway result cache TTL.
 */
export const handler = bindToContainer(
  (deps) =>
    (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> =>
      authorize(deps, event),
);

async function authorize(
  deps: Gateway,
  event: APIGatewayRequestAuthorizerEvent,
): Promise<APIGatewayAuthorizerResult> {
  const key = presentedKey(event.headers);
  let principal = null;
  if (key) {
    try {
      principal = await authenticate(deps, key);
    } catch (error) {
      logger.error('authorizer failed', { error: describeError(error) });
      throw new Error('Unauthorized');
    }
  }
  if (!principal) throw new Error('Unauthorized');
  return {
    principalId: principal.keyId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: apiWildcard(event.methodArn) }],
    },
    context: toAuthorizerContext(principal),
  };
}
