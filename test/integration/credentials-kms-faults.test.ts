import {
  DecryptCommand,
  DisabledException,
  GenerateDataKeyCommand,
  ReEncryptCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayError } from '../../lib/errors.js';
import type { Gateway } from '../../lib/runtime/gateway.js';
import { rewrapCredentials } from '../../lib/services/credentials/rewrap.js';
import { rotateCredential } from '../../lib/services/credentials/service.js';
import { keys } from '../../lib/store/keys.js';
import { type FakeKms, installFakeKms, KEY_ARN, kmsError, NEW_KEY_ARN } from '../fakes/kms.js';
import { secretFor } from '../support/credentials.js';
import { siblingOf } from '../support/instances.js';
import { ACTOR } from '../support/principals.js';
import { type StoreHarness, startStoreHarness } from '../support/store-harness.js';
import {
  encodings,
  fakeProviderKey,
  newProvider,
  rawCredential,
  storeApiKey,
} from './credentials-fixtures.js';

/** What no error may carry: account, key ARN, principal, the SDK message. */
const INTERNALS = ['123456789012', KEY_ARN, 'assumed-role', 'for arn:'];

const FAULTS = [
  { label: 'throttled', error: () => kmsError('ThrottlingException'), code: 'kms_unavailable', status: 503 },
  {
    label: 'access denied',
    error: () => kmsError('AccessDeniedException'),
    code: 'kms_access_denied',
    status: 500,
  },
  {
    label: 'key disabled',
    error: () =>
      new DisabledException({ $metadata: { httpStatusCode: 400 }, message: `${KEY_ARN} is disabled.` }),
    code: 'kms_key_unavailable',
    status: 500,
  },
  {
    label: 'key pending deletion',
    error: () => kmsError('KMSInvalidStateException'),
    code: 'kms_key_unavailable',
    status: 500,
  },
] as const;

let fake: FakeKms;
let h: StoreHarness;
beforeAll(async () => {
  fake = installFakeKms();
  h = await startStoreHarness({ keyProvider: fake.provider() });
});
afterAll(async () => {
  await h.close();
  fake.kms.restore();
});
beforeEach(() => fake.reset());

async function failure(attempt: Promise<unknown>): Promise<GatewayError> {
  const outcome = await attempt.then(
    (value) => ({ value, error: undefined }),
    (error: GatewayError) => ({ value: undefined, error }),
  );
  expect(outcome.value).toBeUndefined();
  expect(outcome.error).toBeDefined();
  return outcome.error as GatewayError;
}

function expectClean(error: GatewayError, secrets: string[]) {
  const dump = [String(error), error.message, error.stack, JSON.stringify(error), String(error.cause)].join(
    '\n',
  );
  for (const secret of secrets) for (const form of encodings(secret)) expect(dump).not.toContain(form);
  for (const internal of INTERNALS) expect(error.message).not.toContain(internal);
  for (const internal of INTERNALS.slice(0, 2)) expect(String(error.cause)).not.toContain(internal);
}

describe.each(FAULTS)('KMS $label', ({ error, code, status }) => {
  it(`fails a create closed with ${code} and stores nothing`, async () => {
    // Prepare
    const providerId = await newProvider(h.deps);
    const value = fakeProviderKey('create');
    fake.kms.on(GenerateDataKeyCommand).rejects(error());
    // Act
    const err = await failure(storeApiKey(h.deps, providerId, value));
    // Assess
    expect(err).toMatchObject({ code, statusCode: status, expose: true });
    if (status === 503) expect(err.headers['retry-after']).toBe('1');
    expectClean(err, [value]);
    const stored = await h.deps.table.queryAll({
      index: 'gsi1',
      partition: keys.credentialsOfProvider(providerId),
    });
    expect(stored).toEqual([]);
  });

  it(`fails a resolve closed with ${code}, then recovers (failures are not cached)`, async () => {
    const providerId = await newProvider(h.deps);
    const value = fakeProviderKey('resolve');
    await storeApiKey(h.deps, providerId, value);
    const deps: Gateway = siblingOf(h.deps);
    fake.kms.on(DecryptCommand).rejects(error());
    const err = await failure(secretFor(deps, providerId));
    expect(err).toMatchObject({ code, statusCode: status });
    expectClean(err, [value]);
    fake.reset();
    expect((await secretFor(deps, providerId))?.value).toBe(value);
  });

  it(`fails a rotation closed with ${code} and keeps the current version`, async () => {
    const providerId = await newProvider(h.deps);
    const { id } = await storeApiKey(h.deps, providerId, fakeProviderKey());
    const next = fakeProviderKey('rotate');
    fake.kms.on(GenerateDataKeyCommand).rejects(error());
    const err = await failure(
      rotateCredential(h.deps, { credentialId: id, body: { credential_value: next }, actor: ACTOR }),
    );
    expect(err.code).toBe(code);
    expectClean(err, [next]);
    const raw = await rawCredential(h.deps, id);
    expect(raw).toMatchObject({ active_version: 1, version: 1 });
  });
});

describe('KMS faults during a re-wrap', () => {
  it('stop the run with the cause and leave every record decryptable under its old key', async () => {
    // Prepare
    const providerId = await newProvider(h.deps);
    const value = fakeProviderKey('rewrap');
    await storeApiKey(h.deps, providerId, value);
    const deps: Gateway = siblingOf(h.deps, { keyProvider: async () => fake.provider(NEW_KEY_ARN) });
    fake.kms.on(ReEncryptCommand).rejects(kmsError('AccessDeniedException'));
    // Act
    const err = await failure(rewrapCredentials(deps, { limit: 100 }));
    // Assess
    expect(err.code).toBe('kms_access_denied');
    fake.reset();
    expect((await secretFor(siblingOf(h.deps), providerId))?.value).toBe(value);
  });
});
