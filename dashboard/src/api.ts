/**
 * The admin API client. The key lives in this module's memory only: never localStorage, cookies
 * or the URL, so closing or reloading the tab signs out.
 */
let apiKey: string | undefined;

/** An API answer that was not 2xx: status and the gateway's error code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function setKey(key: string | undefined): void {
  apiKey = key;
}

export function hasKey(): boolean {
  return apiKey !== undefined;
}

/** Calls the admin API on this origin with the key; throws {@link ApiError} on a non-2xx answer. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(res.status, err?.code ?? 'http_error', err?.message ?? `HTTP ${res.status}`);
  }
  return json as T;
}

/** A list endpoint's first page (`data`); dashboards show the newest page, and say when there is more. */
export async function list<T>(path: string): Promise<{ data: T[]; hasMore: boolean }> {
  const page = await api<{ data: T[]; has_more?: boolean }>('GET', path);
  return { data: page.data, hasMore: page.has_more === true };
}
