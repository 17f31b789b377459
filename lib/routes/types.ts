import type * as z from 'zod';
import type { Access } from '../auth/roles.js';
import type { ItemKind } from '../store/keys.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * A capability a handler uses beyond the table, from which the CDK stack derives its grants:
 * `bedrock` calls Bedrock runtime (Converse, InvokeModel, the health probe), `credentials:decrypt`
 * unwraps provider credentials (and reads `secret_ref` secrets), `events` publishes to the event bus,
 * `apiKeys:hash` hashes a new API key secret with the pepper (minting and rotating a key; the
 * authorizer verifies keys with its own grant).
 */
export type RouteUse = 'bedrock' | 'credentials:decrypt' | 'events' | 'apiKeys:hash';

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
  /** The success body's media type when it is neither JSON nor an event stream (e.g. `audio/*`). */
  produces?: string;
  /** AWS capabilities the handler uses beyond the table (see {@link RouteUse}). */
  uses?: readonly RouteUse[];
  /**
   * The kinds of item the handler writes (partition prefixes of `ITEM_PARTITIONS`): its function's
   * only table write grant. Required (maybe empty) on every route but a GET, which writes nothing;
   * refusal records (`accessDenial`) are granted to every authenticated route and need no entry.
   * `test/integration/route-writes.test.ts` checks the declaration against what the handler writes.
   */
  writes?: readonly ItemKind[];
  /** `multipart`: a form whose text fields `body` validates and whose files come beside them. */
  bodyType?: 'json' | 'multipart';
  /** The OpenAPI operation id, when the function's name (`fn`) is taken by another of its routes. */
  operationId?: string;
  /** Keeps a request-log record of every call (the AI operations; see `docs/request-logs.md`). */
  requestLog?: boolean;
  /** Error body shape: ours (default), or Anthropic's superset for `/v1/messages` (SDK compatibility). */
  errorStyle?: 'anthropic';
}
