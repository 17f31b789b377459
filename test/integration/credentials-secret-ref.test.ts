import {
  DecryptionFailure,
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayError } from '../../lib/errors.js';
import type { Gateway } from '../../lib/runtime/gateway.js';
import { createCredential } from '../../lib/services/credentials/service.js';
import { secretFor } from '../support/credentials.js';
import { siblingOf } from '../support/instances.js';
import { ACTOR, ADMIN } from '../support/principals.js';
import { type StoreHarness, startStoreHarness } from '../support/store-harness.js';
import { encodings, fakeProviderKey, newProvider } from './credentials-fixtures.js';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ai-gateway/openai-AbCdEf';
const META = { httpStatusCode: 400, requestId: 'req-sm' };
const sm = mockClient(SecretsManagerClient);

let h: StoreHarness;
beforeAll(async () => {
  h = await startStoreHarness();
  const client = new SecretsManagerClient({ region: 'eu-west-1' });
  h.deps.secretsManager = async () => client;
});
afterAll(async () => {
  sm.restore();
  await h.close();
});
beforeEach(() => sm.reset());

async function secretRef(): Promise<{ providerId: string; deps: Gateway }> {
  const providerId = await newProvider(h.deps);
  await createCredential(h.deps, {
    providerId,
    body: { credential_type: 'secret_ref', credential_value: ARN },
    principal: ADMIN,
    actor: ACTOR,
  });
  return { providerId, deps: siblingOf(h.deps) };
}

const smError = (name: string, status = 400) =>
  new SecretsManagerServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { ...META, httpStatusCode: status },
    message: `${name} on ${ARN}`,
  });

describe('secret_ref: the value lives in Secrets Manager', () => {
  it('reads the referenced secret once and serves it from the bounded cache', async () => {
    const value = fakeProviderKey('sm');
    sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: value });
    const { providerId, deps } = await secretRef();
    for (let i = 0; i < 50; i++) {
      expect(await secretFor(deps, providerId)).toMatchObject({ type: 'secret_ref', value });
    }
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('takes the api_key field of a JSON secret', async () => {
    const value = fakeProviderKey('json');
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ api_key: value, note: 'x' }) });
    const { providerId, deps } = await secretRef();
    expect((await secretFor(deps, providerId))?.value).toBe(value);
  });

  it('refuses a reference outside the prefix configured now', async () => {
    const { providerId, deps } = await secretRef();
    const narrowed: Gateway = {
      ...deps,
      config: { ...deps.config, CREDENTIAL_SECRET_PREFIX: 'ai-gateway/prod/' },
    };
    await expect(secretFor(narrowed, providerId)).rejects.toMatchObject({
      code: 'secret_ref_refused',
    });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  const faults: Array<[string, () => Error, string, number]> = [
    ['throttled', () => smError('ThrottlingException'), 'secret_store_unavailable', 503],
    ['unavailable', () => smError('InternalServiceError', 500), 'secret_store_unavailable', 503],
    ['access denied', () => smError('AccessDeniedException'), 'secret_access_denied', 500],
    [
      'missing',
      () => new ResourceNotFoundException({ $metadata: META, message: `no ${ARN}` }),
      'secret_not_found',
      500,
    ],
    [
      'its key disabled',
      () => new DecryptionFailure({ $metadata: META, message: `KMS for ${ARN}` }),
      'secret_decrypt_failed',
      500,
    ],
  ];
  it.each(faults)('fails closed when Secrets Manager is %s', async (_label, error, code, status) => {
    sm.on(GetSecretValueCommand).rejects(error());
    const { providerId, deps } = await secretRef();
    const err = (await secretFor(deps, providerId).catch((e: unknown) => e)) as GatewayError;
    expect(err).toMatchObject({ code, statusCode: status, expose: true });
    expect(`${err.message} ${String(err.cause)}`).not.toContain(ARN);
  });

  it.each([
    ['empty', { SecretString: '  ' }],
    ['binary', { SecretBinary: Uint8Array.from([1, 2]) }],
    ['JSON without api_key', { SecretString: '{"token": "x"}' }],
  ])('refuses an %s secret as secret_unusable', async (_label, output) => {
    sm.on(GetSecretValueCommand).resolves(output);
    const { providerId, deps } = await secretRef();
    await expect(secretFor(deps, providerId)).rejects.toMatchObject({ code: 'secret_unusable' });
  });

  it('never stores the secret value: the table holds only the encrypted reference', async () => {
    const value = fakeProviderKey('never');
    sm.on(GetSecretValueCommand).resolves({ SecretString: value });
    const { providerId, deps } = await secretRef();
    await secretFor(deps, providerId);
    const all = JSON.stringify(await h.scan());
    for (const form of [...encodings(value), ...encodings(ARN)]) expect(all).not.toContain(form);
  });
});
