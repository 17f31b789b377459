/**
 * The admin API client. The key is kept in this tab's sessionStorage: it survives a reload of the
 * tab but not closing it, and is never written to localStorage, cookies or the URL.
 */
const SESSION_KEY = 'gateway-console-key';

/** One field the API refused: `field` is the body path (`targets.0.weight`), `message` the rule. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** An API answer that was not 2xx: status, the gateway's error code and message, and field details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Stores (or, with undefined, forgets) the operator's key for this tab. */
export function setKey(key: string | undefined): void {
  if (key === undefined) sessionStorage.removeItem(SESSION_KEY);
  else sessionStorage.setItem(SESSION_KEY, key);
}

/** The key this tab signed in with, if any. */
export function currentKey(): string | undefined {
  return sessionStorage.getItem(SESSION_KEY) ?? undefined;
}

function headers(body: boolean): Record<string, string> {
  const out: Record<string, string> = { accept: 'application/json' };
  const key = currentKey();
  if (key) out.authorization = `Bearer ${key}`;
  if (body) out['content-type'] = 'application/json';
  return out;
}

async function failure(res: Response): Promise<ApiError> {
  const text = await res.text();
  let err: { code?: string; message?: string; details?: unknown } | undefined;
  try {
    err = (JSON.parse(text) as { error?: typeof err }).error;
  } catch {
    err = undefined;
  }
  const details = Array.isArray(err?.details)
    ? (err.details as FieldIssue[]).filter((d) => typeof d?.field === 'string')
    : [];
  return new ApiError(res.status, err?.code ?? 'http_error', err?.message ?? `HTTP ${res.status}`, details);
}

/** Calls the API on this origin with the key; throws {@link ApiError} on a non-2xx answer. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: headers(body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A raw call (CSV downloads, streams): the response once its status is 2xx, else {@link ApiError}. */
export async function raw(
  method: string,
  path: string,
  options: { body?: unknown; signal?: AbortSignal; accept?: string } = {},
): Promise<Response> {
  const res = await fetch(path, {
    method,
    headers: { ...headers(options.body !== undefined), accept: options.accept ?? '*/*' },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
  if (!res.ok) throw await failure(res);
  return res;
}

/** One page of a list endpoint, with the cursor of the next when there is more. */
export interface ListPage<T> {
  data: T[];
  hasMore: boolean;
  nextCursor: string | null;
}

/** A page of a list endpoint (`data`, `has_more`, `next_cursor`). */
export async function list<T>(path: string): Promise<ListPage<T>> {
  const page = await api<{ data: T[]; has_more?: boolean; next_cursor?: string | null }>('GET', path);
  const hasMore = page.has_more === true && typeof page.next_cursor === 'string';
  return { data: page.data, hasMore, nextCursor: hasMore ? (page.next_cursor as string) : null };
}

/** `GET /api/me`: who the key is and what it may do. */
export interface Me {
  key_id: string;
  name: string;
  role: string;
  team_id: string | null;
  provider_ids: string[] | null;
  model_ids: string[] | null;
  permissions: string[];
}

/** Error text for a status line: the API's message with its status and code. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.status} ${error.code})`;
  return error instanceof Error ? error.message : String(error);
}
