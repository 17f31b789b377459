import { listAuditEvents } from '../../lib/audit/query.js';
import { defineHandler } from '../../lib/http/handler.js';
import { auditListRoute } from '../../lib/routes/audit.js';
import type { AuditListQuery } from '../../lib/schemas/audit.js';

export const handler = defineHandler<unknown, AuditListQuery>(auditListRoute, ({ deps, query, principal }) =>
  listAuditEvents(deps, query, principal),
);
