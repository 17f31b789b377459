/**
 * A fake KMS behind aws-sdk-client-mock: data keys are random, a "wrapped" key is an opaque handle
 * remembered with its key id and encryption context, and Decrypt / ReEncrypt check both exactly as
 * KMS does (a wrong context is `InvalidCiphertextException`). Call counts come from the mock.
 */
import { randomBytes } from 'node:crypto';
import {
  DecryptCommand,
  GenerateDataKeyCommand,
  InvalidCiphertextException,
  KMSClient,
  KMSServiceException,
  ReEncryptCommand,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { KmsKeyProvider } from '../../lib/crypto/kms-key-provider.js';

export const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-3333-4444-555566667777';
export const NEW_KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/9999ffff-2222-3333-4444-555566667777';
const META = { httpStatusCode: 400, requestId: 'req-fake-kms' };

interface Held {
  plaintext: Buffer;
  keyId: string;
  context: string;
}

/** An SDK-shaped KMS error, as the real client throws it. */
export function kmsError(name: string, status = 400): KMSServiceException {
  return new KMSServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { ...META, httpStatusCode: status },
    message: `${name} for ${KEY_ARN} by arn:aws:sts::123456789012:assumed-role/gw/fn`,
  });
}

const contextKey = (context: Record<string, string> | undefined) =>
  JSON.stringify(Object.entries(context ?? {}).sort(([a], [b]) => a.localeCompare(b)));

const stub = () => mockClient(KMSClient);

export interface FakeKms {
  kms: ReturnType<typeof stub>;
  provider(keyId?: string): KmsKeyProvider;
  /** Number of calls of one command so far. */
  count(command: 'GenerateDataKey' | 'Decrypt' | 'ReEncrypt'): number;
  /** Makes the fake behave normally again (after a test injected failures). */
  reset(): void;
}

/** Installs the fake on every KMSClient (aws-sdk-client-mock patches the class). */
export function installFakeKms(): FakeKms {
  const kms = stub();
  const held = new Map<string, Held>();
  const remember = (entry: Held) => {
    const handle = randomBytes(48);
    held.set(handle.toString('hex'), entry);
    return Uint8Array.from(handle);
  };
  const lookup = (blob: Uint8Array | undefined, keyId: string | undefined, context: string) => {
    const entry = held.get(Buffer.from(blob ?? []).toString('hex'));
    if (!entry || entry.context !== context || (keyId !== undefined && keyId !== entry.keyId)) {
      throw new InvalidCiphertextException({ $metadata: META, message: 'bad ciphertext' });
    }
    return entry;
  };
  const behave = () => {
    kms.reset();
    kms.on(GenerateDataKeyCommand).callsFake((input) => {
      const plaintext = randomBytes(32);
      const blob = remember({ plaintext, keyId: input.KeyId, context: contextKey(input.EncryptionContext) });
      return { Plaintext: Uint8Array.from(plaintext), CiphertextBlob: blob, KeyId: input.KeyId };
    });
    kms.on(DecryptCommand).callsFake((input) => {
      const entry = lookup(input.CiphertextBlob, input.KeyId, contextKey(input.EncryptionContext));
      return { Plaintext: Uint8Array.from(entry.plaintext), KeyId: entry.keyId };
    });
    kms.on(ReEncryptCommand).callsFake((input) => {
      const entry = lookup(
        input.CiphertextBlob,
        input.SourceKeyId,
        contextKey(input.SourceEncryptionContext),
      );
      const context = contextKey(input.DestinationEncryptionContext);
      const blob = remember({ plaintext: entry.plaintext, keyId: input.DestinationKeyId, context });
      return { CiphertextBlob: blob, KeyId: input.DestinationKeyId };
    });
  };
  behave();
  const count = (command: 'GenerateDataKey' | 'Decrypt' | 'ReEncrypt') => {
    if (command === 'GenerateDataKey') return kms.commandCalls(GenerateDataKeyCommand).length;
    if (command === 'Decrypt') return kms.commandCalls(DecryptCommand).length;
    return kms.commandCalls(ReEncryptCommand).length;
  };
  return {
    kms,
    provider: (keyId = KEY_ARN) =>
      new KmsKeyProvider({ client: new KMSClient({ region: 'eu-west-1' }), keyId }),
    count,
    reset: behave,
  };
}
