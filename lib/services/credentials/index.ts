/**
 * The credential service. What other parts of the gateway call:
 *
 * - the AI-request path: {@link resolveProviderSecret} (which secret to send, 0 KMS calls in steady
 *   state) and {@link reportCredentialRejected} (an upstream 401 marks the version invalid);
 * - `npm run init`: {@link importEnvironmentCredentials};
 * - `npm run rewrap`, the admin endpoint and a schedule: {@link rewrapCredentials};
 * - the admin handlers: create, list, rotate, revoke.
 *
 * `docs/credentials.md` describes the envelope, caching, rotation and failure codes.
 */
export {
  ENVIRONMENT_CREDENTIALS,
  type EnvironmentImport,
  importEnvironmentCredentials,
} from './environment.js';
export { holdsLiveCredential, rebindCredentials } from './rebind.js';
export { type ResolvedSecret, reportCredentialRejected, resolveProviderSecret } from './resolve.js';
export { DEFAULT_REWRAP_LIMIT, type RewrapOptions, rewrapCredentials } from './rewrap.js';
export {
  createCredential,
  insertCredential,
  listCredentials,
  revokeCredential,
  rotateCredential,
} from './service.js';
