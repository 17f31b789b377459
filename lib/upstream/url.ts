/** Building upstream URLs from a provider's stored base URL. */

/**
 * Appends `path` to the base URL's path (keeping its own path, e.g. `/v1` or an Azure deployment) and
 * sets `query` parameters on top of any the base already has. The host is always the base's.
 *
 * @example joinUrl(new URL('https://api.openai.com/v1'), '/chat/completions') // .../v1/chat/completions
 */
export function joinUrl(base: URL, path: string, query: Record<string, string> = {}): URL {
  const url = new URL(base.href);
  const suffix = path.startsWith('/') ? path : `/${path}`;
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${suffix}`;
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  url.hash = '';
  return url;
}
