import * as z from 'zod';
import type { Route } from './types.js';

const healthResponse = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  storage: z.object({ status: z.enum(['ok', 'unavailable']), latency_ms: z.number().optional() }),
});

export const systemHealthRoute: Route = {
  method: 'GET',
  path: '/health',
  fn: 'system/health',
  access: 'public',
  streams: false,
  summary: 'Liveness and storage status',
  tag: 'system',
  response: healthResponse,
  successStatus: 200,
};

/** Every route of this area, in table order. */
export const systemRoutes: Route[] = [systemHealthRoute];
