/**
 * Last line of defence for text that leaves the process (logs, error details): masks anything
 * shaped like a provider key, bearer token or gateway key. Secrets are kept out of messages by
 * design; this catches what a third-party error message might carry.
 */
const WHOLE: RegExp[] = [
  // Masked key hints (`sk-proj-****…wxyz`, `sk-abc...wxyz`): the visible ends still identify a key.
  /\b(?:sk|rk|gk|hf)[-_][A-Za-z0-9_-]*(?:[*•]|\.{3}|…)[*•.…A-Za-z0-9_-]*/g,
  /[*•]{4,}[A-Za-z0-9_-]*/g,
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

/**
 * What an upstream's error text may name about the provider account and never reaches our caller:
 * organization and project ids (OpenAI `org-…`, `proj_…`), UUIDs (Anthropic organizations, Azure
 * subscriptions), AWS ARNs and account numbers, and e-mail addresses.
 */
const ACCOUNT_IDENTIFIERS: RegExp[] = [
  /\barn:aws[a-z-]*:[^\s"',]+/g,
  /\borg-[A-Za-z0-9]{6,}\b/g,
  /\bproj_[A-Za-z0-9]{6,}\b/g,
  /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi,
  /\b\d{12}\b/g,
  /[\w.+-]+@[\w-]+\.[\w.-]+/g,
];

/**
 * Text written by an upstream, made fit for our caller: {@link redactSecrets}, then every provider
 * account identifier ({@link ACCOUNT_IDENTIFIERS}) replaced by `[id]`. Logs keep request ids, so
 * this stricter pass is only for what a caller is shown.
 */
export function redactUpstreamText(text: string): string {
  let out = redactSecrets(text);
  for (const pattern of ACCOUNT_IDENTIFIERS) out = out.replace(pattern, '[id]');
  return out;
}

/** The shape a provider's error type or code must have to be passed on (`invalid_api_key`). */
const ERROR_TYPE_SHAPE = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

/** A provider's error type or code if it is identifier-shaped (no spaces, ids or keys), else null. */
export function allowedUpstreamType(value: string): string | null {
  return ERROR_TYPE_SHAPE.test(value) && redactUpstreamText(value) === value ? value : null;
}
