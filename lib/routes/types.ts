import type { z } from 'zod';
import type { Access } from '../auth/roles.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * One endpoint. `fn` names the handler module `functions/<fn>.ts` (export `handler`), which is
 * also the Lambda function the stack builds for it. Paths use API Gateway resource syntax;
 * `{name+}` is greedy (model ids may contain `/`).
 */
export interface Route {
  method: HttpMethod;
  path: string;
  fn: string;
  access: Access;
  streams: boolean;
  summary: string;
  tag: string;
  /** Largest accepted body in bytes (defaults to the admin limit from configuration). */
  maxBodyBytes?: number;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response?: z.ZodType;
  successStatus: number;
  /** Error body shape: ours (default), or Anthropic's superset for `/v1/messages` (SDK compatibility). */
  errorStyle?: 'anthropic';
}
