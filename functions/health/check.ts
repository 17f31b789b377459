import { defineHandler } from '../../lib/http/handler.js';
import { checkProviderNow } from '../../lib/services/health/scheduled.js';

export const handler = defineHandler<unknown, unknown, { id: string }>(
  'POST /api/providers/{id}/health-check',
  ({ deps, params, principal, requestId }) =>
    checkProviderNow(deps, { providerId: params.id, principal, requestId }),
);
