/**
 * The response headers of the operator console's files, wherever they are served: by the local
 * runtime (`local/static-files.ts`) and by the stack's CloudFront distribution
 * (`infra/constructs/console.ts`). The page loads scripts and talks to its own origin only; uPlot
 * sets inline style attributes, hence `'unsafe-inline'` for styles alone.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Headers every console file carries (CSP, no MIME sniffing, no referrer, no framing). */
export const CONSOLE_SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;
