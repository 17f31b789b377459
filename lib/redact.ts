/**
 * Last line of defence for text that leaves the process (logs, error details): masks anything
 * shaped like a provider key, bearer token or gateway key. Secrets are kept out of messages by
 * design; this catches what a third-party error message might carry.
 */
const WHOLE: RegExp[] = [
  /\b(?:sk|rk)-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_-]{8,}/g,
  /\bgk_[A-Za-z0-9_-]{8,}/g,
  /\bhf_[A-Za-z0-9]{8,}/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
];
/** Patterns whose first group is a label to keep (`Bearer `, `api_key=`). */
const AFTER_LABEL: RegExp[] = [
  /(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /((?:api[_-]?key|x-api-key|authorization|token|secret|password)["']?\s*[:=]\s*["']?)[^\s"',}]{4,}/gi,
];

/** Returns `text` with every secret-shaped substring replaced by `[redacted]`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const pattern of WHOLE) out = out.replace(pattern, '[redacted]');
  for (const pattern of AFTER_LABEL) out = out.replace(pattern, '$1[redacted]');
  return out;
}

/** Whether `text` holds anything {@link redactSecrets} would mask: a provider key, token or gateway key. */
export function looksLikeSecret(text: string): boolean {
  return redactSecrets(text) !== text;
}
