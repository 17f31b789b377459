/**
 * Fixtures of the credential tests: fake keys made at run time (never committed), providers to hang
 * credentials on, the raw stored item of a credential, and a key provider that counts KMS use.
 */
import { randomBytes } from 'node:crypto';
import type { KeyProvider } from '../../lib/crypto/key-provider.js';
import type { Gateway } from '../../lib/runtime/gateway.js';
import { createCredential, rotateCredential } from '../../lib/services/credentials/service.js';
import { createProvider } from '../../lib/services/providers/service.js';
import { keys } from '../../lib/store/keys.js';
import type { Item } from '../../lib/store/table.js';
import { ACTOR, ADMIN } from '../support/principals.js';

/** An obviously fake provider key, unique per call (shaped unlike any real provider's key). */
export function fakeProviderKey(label = 'it'): string {
  return `fake-${label}-key-${randomBytes(10).toString('hex')}`;
}

/** A Secrets Manager ARN under the default prefix `ai-gateway/` (fake account). */
export const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ai-gateway/openai-AbCdEf';

/** A canary: a value that must appear nowhere but in a successful decrypt. */
export function canary(): string {
  return `canary${randomBytes(12).toString('hex')}zz`;
}

/** The forms a leaked value could take: raw, base64, base64url, hex. */
export function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [secret, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')];
}

let providers = 0;

/** Creates an active `llm` provider of `type` (named `p-<n>` unless told) and returns its id. */
export async function newProvider(deps: Gateway, type = 'openai', name?: string): Promise<string> {
  providers += 1;
  const body = {
    name: name ?? `p-${providers}`,
    provider_type: type,
    service_types: ['llm'],
  } as Parameters<typeof createProvider>[1];
  return (await createProvider(deps, body, ACTOR)).id;
}

/** Stores `value` as an `api_key` credential of `providerId`, as the admin; returns the credential. */
export function storeApiKey(deps: Gateway, providerId: string, value: string) {
  return createCredential(deps, {
    providerId,
    body: { credential_type: 'api_key', credential_value: value },
    principal: ADMIN,
    actor: ACTOR,
  });
}

/** Rotates a credential to a new key `value`, as the admin; returns the credential. */
export function rotateTo(deps: Gateway, credentialId: string, value: string) {
  return rotateCredential(deps, { credentialId, body: { credential_value: value }, actor: ACTOR });
}

/** The raw stored item of a credential; fails when there is none. */
export async function rawCredential(deps: Gateway, credentialId: string): Promise<Item> {
  const item = await deps.table.get(keys.credential(credentialId));
  if (!item) throw new Error(`no credential ${credentialId}`);
  return item;
}

/** A key provider that delegates and counts calls per operation (to measure KMS use). */
export class CountingKeyProvider implements KeyProvider {
  readonly calls = { generate: 0, decrypt: 0, rewrap: 0 };
  constructor(readonly inner: KeyProvider) {}
  currentKeyId(): string {
    return this.inner.currentKeyId();
  }
  generateDataKey(...args: Parameters<KeyProvider['generateDataKey']>) {
    this.calls.generate += 1;
    return this.inner.generateDataKey(...args);
  }
  decryptDataKey(...args: Parameters<KeyProvider['decryptDataKey']>) {
    this.calls.decrypt += 1;
    return this.inner.decryptDataKey(...args);
  }
  rewrapDataKey(...args: Parameters<KeyProvider['rewrapDataKey']>) {
    this.calls.rewrap += 1;
    return this.inner.rewrapDataKey(...args);
  }
}
