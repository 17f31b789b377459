import { randomBytes } from 'node:crypto';
import {
  DecryptCommand,
  DependencyTimeoutException,
  DisabledException,
  GenerateDataKeyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  KeyUnavailableException,
  KMSClient,
  KMSInternalException,
  KMSInvalidStateException,
  KMSServiceException,
  LimitExceededException,
  NotFoundException,
  ReEncryptCommand,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  decryptSecret,
  type EncryptedSecret,
  encryptSecret,
  rewrapSecret,
} from '../../../lib/crypto/envelope.js';
import { KmsKeyProvider } from '../../../lib/crypto/kms-key-provider.js';
import { ConfigError, type GatewayError } from '../../../lib/errors.js';
import { CANARY, CONTEXT, errorDump, expectDecryptFailure } from './fixtures.js';

const ACCOUNT = '123456789012';
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1111aaaa-2222-3333-4444-555566667777`;
const NEW_KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/9999ffff-2222-3333-4444-555566667777`;
const ROLE_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/gateway-fn/session`;
const DATA_KEY = randomBytes(32);
const WRAPPED = randomBytes(184);
const REWRAPPED = randomBytes(184);
/** Every encoding of key material or ciphertext that must not appear in an error. */
const FORBIDDEN = [
  CANARY,
  ACCOUNT,
  KEY_ARN,
  DATA_KEY.toString('hex'),
  DATA_KEY.toString('base64'),
  WRAPPED.toString('hex'),
  WRAPPED.toString('base64'),
];
const META = { httpStatusCode: 400, requestId: 'req-0001' };

const kms = mockClient(KMSClient);

/** A fake KMS: GenerateDataKey returns a fresh copy of DATA_KEY; Decrypt checks blob and context. */
function fakeKms(): void {
  kms.on(GenerateDataKeyCommand).callsFake(() => ({
    Plaintext: Uint8Array.from(DATA_KEY),
    CiphertextBlob: Uint8Array.from(WRAPPED),
    KeyId: KEY_ARN,
  }));
  kms.on(DecryptCommand).callsFake((input: { CiphertextBlob?: Uint8Array; EncryptionContext?: object }) => {
    const blobOk = Buffer.from(input.CiphertextBlob ?? []).equals(WRAPPED);
    const contextOk = JSON.stringify(input.EncryptionContext) === JSON.stringify(sortedContext());
    if (!blobOk || !contextOk) throw new InvalidCiphertextException({ $metadata: META, message: 'bad' });
    return { Plaintext: Uint8Array.from(DATA_KEY), KeyId: KEY_ARN };
  });
}

function sortedContext(): Record<string, string> {
  const { credential_id, provider_id, purpose, version } = CONTEXT;
  return { credential_id, provider_id, purpose, version };
}

function provider(): KmsKeyProvider {
  return new KmsKeyProvider({ client: new KMSClient({ region: 'eu-west-1' }), keyId: KEY_ARN });
}

async function captured(attempt: Promise<unknown>): Promise<GatewayError> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e as GatewayError,
  );
  expect(error).toBeDefined();
  return error as GatewayError;
}

describe('KmsKeyProvider: success path', () => {
  beforeEach(() => {
    kms.reset();
    fakeKms();
  });

  it('passes KeySpec AES_256, the key id and the encryption context to GenerateDataKey and Decrypt', async () => {
    // Act
    const secret = await encryptSecret(CANARY, CONTEXT, provider());
    const plaintext = await decryptSecret(secret, CONTEXT, provider());
    // Assess
    expect(plaintext).toBe(CANARY);
    expect(secret.key_id).toBe(KEY_ARN);
    expect(secret.wrapped_key).toBe(WRAPPED.toString('base64'));
    const generate = kms.commandCalls(GenerateDataKeyCommand);
    expect(generate).toHaveLength(1);
    expect(generate[0]?.args[0].input).toEqual({
      KeyId: KEY_ARN,
      KeySpec: 'AES_256',
      EncryptionContext: sortedContext(),
    });
    const decrypt = kms.commandCalls(DecryptCommand);
    expect(decrypt).toHaveLength(1);
    const input = decrypt[0]?.args[0].input;
    expect(input?.KeyId).toBe(KEY_ARN);
    expect(input?.EncryptionContext).toEqual(sortedContext());
    expect(Buffer.from(input?.CiphertextBlob ?? []).equals(WRAPPED)).toBe(true);
  });

  it('zeroes the plaintext data key KMS returned once the payload is encrypted', async () => {
    const returned: Uint8Array[] = [];
    kms.on(GenerateDataKeyCommand).callsFake(() => {
      const Plaintext = Uint8Array.from(DATA_KEY);
      returned.push(Plaintext);
      return { Plaintext, CiphertextBlob: Uint8Array.from(WRAPPED), KeyId: KEY_ARN };
    });
    await encryptSecret(CANARY, CONTEXT, provider());
    expect(returned).toHaveLength(1);
    expect(returned[0]?.every((byte) => byte === 0)).toBe(true);
  });

  it('fails with credential_decrypt_failed when KMS rejects the context (record moved)', async () => {
    const secret = await encryptSecret(CANARY, CONTEXT, provider());
    await expectDecryptFailure(decryptSecret(secret, { ...CONTEXT, provider_id: 'prov_other' }, provider()));
  });

  it('re-wraps with ReEncrypt, the same context on both sides, and leaves the payload untouched', async () => {
    kms.on(ReEncryptCommand).resolves({ CiphertextBlob: Uint8Array.from(REWRAPPED), KeyId: NEW_KEY_ARN });
    const secret = await encryptSecret(CANARY, CONTEXT, provider());
    const rewrapped = await rewrapSecret(secret, CONTEXT, provider(), NEW_KEY_ARN);
    expect(rewrapped).toEqual({ ...secret, key_id: NEW_KEY_ARN, wrapped_key: REWRAPPED.toString('base64') });
    expect(kms.commandCalls(ReEncryptCommand)[0]?.args[0].input).toEqual({
      CiphertextBlob: WRAPPED,
      SourceKeyId: KEY_ARN,
      DestinationKeyId: NEW_KEY_ARN,
      SourceEncryptionContext: sortedContext(),
      DestinationEncryptionContext: sortedContext(),
    });
  });

  it('refuses a malformed GenerateDataKey response (short key)', async () => {
    kms.on(GenerateDataKeyCommand).resolves({ Plaintext: new Uint8Array(16), CiphertextBlob: WRAPPED });
    expect(await captured(encryptSecret(CANARY, CONTEXT, provider()))).toMatchObject({ code: 'kms_failed' });
  });

  it.each(['alias/gateway', `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/gateway`, ''])(
    'refuses the key id %j at construction',
    (keyId) => {
      expect(() => new KmsKeyProvider({ client: new KMSClient({}), keyId })).toThrow(ConfigError);
    },
  );
});

const sdkError = (name: string, message: string, status = 400): KMSServiceException =>
  new KMSServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { ...META, httpStatusCode: status },
    message,
  });

const FAULTS: Array<[string, () => Error, string, number]> = [
  [
    'ThrottlingException',
    () => sdkError('ThrottlingException', `Rate exceeded for ${KEY_ARN}`),
    'kms_unavailable',
    503,
  ],
  [
    'LimitExceededException',
    () => new LimitExceededException({ $metadata: META, message: `limit ${KEY_ARN}` }),
    'kms_unavailable',
    503,
  ],
  [
    'KMSInternalException',
    () => new KMSInternalException({ $metadata: META, message: 'internal' }),
    'kms_unavailable',
    503,
  ],
  [
    'DependencyTimeoutException',
    () => new DependencyTimeoutException({ $metadata: META, message: 'x' }),
    'kms_unavailable',
    503,
  ],
  [
    'KeyUnavailableException',
    () => new KeyUnavailableException({ $metadata: META, message: KEY_ARN }),
    'kms_unavailable',
    503,
  ],
  [
    'ECONNRESET',
    () => Object.assign(new Error('socket hang up kms.eu-west-1'), { code: 'ECONNRESET' }),
    'kms_unavailable',
    503,
  ],
  [
    'TimeoutError',
    () => Object.assign(new Error('timed out'), { name: 'TimeoutError' }),
    'kms_unavailable',
    503,
  ],
  ['an unnamed 5xx', () => sdkError('UnknownError', 'oops', 502), 'kms_unavailable', 503],
  [
    'AccessDeniedException',
    () =>
      sdkError(
        'AccessDeniedException',
        `User: ${ROLE_ARN} is not authorized to perform: kms:Decrypt on resource: ${KEY_ARN}`,
      ),
    'kms_access_denied',
    500,
  ],
  [
    'DisabledException',
    () => new DisabledException({ $metadata: META, message: `${KEY_ARN} is disabled.` }),
    'kms_key_unavailable',
    500,
  ],
  [
    'KMSInvalidStateException',
    () => new KMSInvalidStateException({ $metadata: META, message: `${KEY_ARN} is pending deletion.` }),
    'kms_key_unavailable',
    500,
  ],
  [
    'NotFoundException',
    () => new NotFoundException({ $metadata: META, message: `Key '${KEY_ARN}' does not exist` }),
    'kms_key_unavailable',
    500,
  ],
  [
    'IncorrectKeyException',
    () => new IncorrectKeyException({ $metadata: META, message: KEY_ARN }),
    'credential_decrypt_failed',
    500,
  ],
  [
    'InvalidCiphertextException',
    () => new InvalidCiphertextException({ $metadata: META, message: KEY_ARN }),
    'credential_decrypt_failed',
    500,
  ],
  ['an unknown client error', () => sdkError('ValidationException', `bad ${KEY_ARN}`), 'kms_failed', 500],
];

describe('KmsKeyProvider: SDK faults fail closed with a code naming the cause', () => {
  let stored: EncryptedSecret;
  beforeEach(async () => {
    kms.reset();
    fakeKms();
    stored = await encryptSecret(CANARY, CONTEXT, provider());
  });

  it.each(FAULTS)(
    '%s → %s (%i), no key material, ARN or account in the error',
    async (_name, make, code, status) => {
      kms.on(GenerateDataKeyCommand).rejects(make());
      kms.on(DecryptCommand).rejects(make());
      kms.on(ReEncryptCommand).rejects(make());
      const attempts = [
        encryptSecret(CANARY, CONTEXT, provider()),
        decryptSecret(stored, CONTEXT, provider()),
        rewrapSecret(stored, CONTEXT, provider(), NEW_KEY_ARN),
      ];
      for (const attempt of attempts) {
        const error = await captured(attempt);
        expect(error.code).toBe(code);
        expect(error.statusCode).toBe(status);
        expect(error.expose).toBe(true);
        if (code === 'kms_unavailable') expect(error.headers['retry-after']).toBe('1');
        const dump = errorDump(error);
        for (const forbidden of FORBIDDEN) expect(dump).not.toContain(forbidden);
      }
    },
  );

  it('keeps the SDK error name and request id in the cause for operators', async () => {
    kms
      .on(DecryptCommand)
      .rejects(new DisabledException({ $metadata: META, message: `${KEY_ARN} is disabled.` }));
    const error = await captured(decryptSecret(stored, CONTEXT, provider()));
    expect((error.cause as Error).message).toBe(
      'KMS Decrypt failed: DisabledException (request id req-0001)',
    );
  });
});
