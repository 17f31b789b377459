import { usageReply } from '../../lib/endpoints/usage-reply.js';
import { defineHandler } from '../../lib/http/handler.js';
import { usageProviderRoute } from '../../lib/routes/usage.js';
import type { Granularity, GroupBy } from '../../lib/services/usage/aggregate.js';
import { usageReport } from '../../lib/services/usage/report.js';

type Query = {
  start_date?: string;
  end_date?: string;
  granularity: Granularity;
  group_by?: GroupBy;
  team_id?: string;
  format?: 'json' | 'csv';
};

export const handler = defineHandler<unknown, Query, { id: string }>(
  usageProviderRoute,
  async ({ deps, params, query: { format, ...query }, principal, headers }) =>
    usageReply(
      await usageReport(deps, { ...query, provider_id: params.id, scope: 'provider', principal }),
      headers.accept,
      format,
    ),
);
