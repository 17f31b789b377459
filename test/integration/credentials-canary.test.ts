import {
  DecryptCommand,
  DisabledException,
  GenerateDataKeyCommand,
  KMSClient,
  KMSServiceException,
} from '@aws-sdk/client-kms';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KmsKeyProvider } from '../../lib/crypto/kms-key-provider.js';
import type { LocalKeyProvider } from '../../lib/crypto/local-key-provider.js';
import type { Gateway } from '../../lib/runtime/gateway.js';
import { reportCredentialRejected } from '../../lib/services/credentials/resolve.js';
import { keys } from '../../lib/store/keys.js';
import { secretFor } from '../support/credentials.js';
import { siblingOf } from '../support/instances.js';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';
import { mockStore, openRawStore, throttlingError } from '../support/store.js';
import { mintKey } from './access-fixtures.js';
import { canary, encodings, SECRET_ARN } from './credentials-fixtures.js';

/** Canaries: A stored, B rotated in, C refused by a failing KMS, D held in Secrets Manager. */
const A = canary();
const B = canary();
const C = canary();
const D = canary();
const CANARIES = { A, B, C, D };

const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-3333-4444-555566667777';
const kms = mockClient(KMSClient);
const sm = mockClient(SecretsManagerClient);

let gw: TestGateway;
let deps: Gateway;
const logs: string[] = [];
/** Everything a caller or operator could see: response statuses, headers and bodies, thrown errors. */
const seen: string[] = [];
const statuses: Record<string, number> = {};
let openai: string;
let bedrock: string;

async function call(
  label: string,
  method: string,
  path: string,
  options: Parameters<TestGateway['call']>[2] = {},
) {
  const res = await gw.call(method, path, options);
  statuses[label] = res.status;
  seen.push(`${label} ${res.status} ${JSON.stringify([...res.headers.entries()])} ${res.text}`);
  return res;
}

async function inProcess(label: string, attempt: () => Promise<unknown>) {
  try {
    seen.push(
      `${label} ok ${JSON.stringify(await attempt())?.replace(/"value":"[^"]*"/, '"value":"(returned to the caller)"')}`,
    );
  } catch (error) {
    const e = error as Error;
    statuses[label] = (error as { statusCode?: number }).statusCode ?? 0;
    seen.push(`${label} ${String(e)} ${e.stack} ${JSON.stringify(e)} ${String(e.cause)}`);
  }
}

beforeAll(async () => {
  const capture = (chunk: unknown) => {
    logs.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture as typeof process.stdout.write);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture as typeof process.stderr.write);
  gw = await startTestGateway({ LOG_LEVEL: 'DEBUG' });
  deps = gw.runtime.deps;
  openai = (await gw.call('POST', '/api/providers', { body: providerBody('canary-openai') })).json.id;
  bedrock = (
    await gw.call('POST', '/api/providers', {
      body: providerBody('canary-bedrock', { provider_type: 'bedrock' }),
    })
  ).json.id;
});
afterAll(async () => {
  await gw.stop();
  kms.restore();
  sm.restore();
  vi.restoreAllMocks();
});

const collection = (providerId: string) => `/api/providers/${providerId}/credentials`;
const rotatePath = (id: string) => `/api/providers/credentials/${id}/rotate`;
const META = { httpStatusCode: 400, requestId: 'req-canary' };

/** Store A, list, use it, rotate to B, use it, report a 401, list. Returns the credential id. */
async function happyPath(): Promise<string> {
  const stored = await call('create', 'POST', collection(openai), {
    body: { credential_type: 'api_key', credential_value: A },
  });
  const id = stored.json.id as string;
  await call('list', 'GET', collection(openai));
  await inProcess('resolve A', () => secretFor(deps, openai));
  await call('rotate', 'POST', rotatePath(id), { body: { credential_value: B } });
  await inProcess('resolve B', () => secretFor(deps, openai));
  await inProcess('report 401', () => reportCredentialRejected(deps, id, 2));
  await call('list after 401', 'GET', collection(openai));
  return id;
}

/** Every refusal a request carrying a canary can meet: [label, expected status, path, options]. */
function refusals(id: string, iamId: string, viewer: string) {
  const apiKey = (extra: Record<string, unknown> = {}) => ({
    body: { credential_type: 'api_key', credential_value: A, ...extra },
  });
  const missing = 'cred_01m8bwjkr672zknf0jar5m8r48';
  const cases: Array<[string, number, string, string, Parameters<TestGateway['call']>[2]]> = [
    ['unknown field', 422, 'POST', collection(openai), apiKey({ extra: A })],
    [
      'secret_ref not an ARN',
      422,
      'POST',
      collection(openai),
      { body: { credential_type: 'secret_ref', credential_value: A } },
    ],
    [
      'aws_iam with value',
      422,
      'POST',
      collection(bedrock),
      { body: { credential_type: 'aws_iam', credential_value: A } },
    ],
    [
      'aws_iam wrong provider',
      422,
      'POST',
      collection(openai),
      { body: { credential_type: 'aws_iam', credential_value: A } },
    ],
    ['control char', 422, 'POST', collection(openai), apiKey({ credential_value: `${A}\u0001` })],
    ['surrounding space', 422, 'POST', collection(openai), apiKey({ credential_value: ` ${A}` })],
    ['wrong type', 422, 'POST', collection(openai), apiKey({ credential_type: A })],
    ['past expiry', 422, 'POST', collection(openai), apiKey({ expires_at: '2001-01-01T00:00:00Z' })],
    ['unknown provider', 404, 'POST', collection('prov_01m8bwjkr672zknf0jar5m8r48'), apiKey()],
    [
      'bad json',
      400,
      'POST',
      collection(openai),
      { rawBody: `{"credential_value": "${A}"`, headers: { 'content-type': 'application/json' } },
    ],
    [
      'not json',
      415,
      'POST',
      collection(openai),
      { rawBody: `credential_value=${A}`, headers: { 'content-type': 'text/plain' } },
    ],
    ['too large', 413, 'POST', collection(openai), apiKey({ name: A.repeat(20_000) })],
    ['no key', 401, 'POST', collection(openai), { ...apiKey(), key: null }],
    ['canary as key', 401, 'GET', collection(openai), { key: A }],
    ['viewer writes', 403, 'POST', collection(openai), { ...apiKey(), key: viewer }],
    ['rotate unknown', 404, 'POST', rotatePath(missing), { body: { credential_value: A } }],
    ['rotate aws_iam', 422, 'POST', rotatePath(iamId), { body: { credential_value: A } }],
    ['rotate bad body', 422, 'POST', rotatePath(id), { body: { credential_value: [A] } }],
  ];
  return cases;
}

/** DynamoDB throttles the item write of C (after its encryption). */
async function storageThrottled(): Promise<void> {
  const { json: provider } = await gw.call('POST', '/api/providers', {
    body: providerBody('canary-storage'),
  });
  const store = mockStore();
  store.failWhen((command) => command.constructor.name === 'PutCommand', throttlingError());
  try {
    await call('storage throttled', 'POST', collection(provider.id), {
      body: { credential_type: 'api_key', credential_value: C },
    });
  } finally {
    store.restore();
  }
}

/** KMS throttled on create, denied on rotate, key disabled on decrypt. */
async function kmsFaults(id: string): Promise<void> {
  const local = deps.keyProvider;
  deps.keyProvider = async () =>
    new KmsKeyProvider({ client: new KMSClient({ region: 'eu-west-1' }), keyId: KEY_ARN });
  const sdkError = (name: string) =>
    new KMSServiceException({ name, $fault: 'client', $metadata: META, message: `${name} ${KEY_ARN}` });
  try {
    kms.on(GenerateDataKeyCommand).rejects(sdkError('ThrottlingException'));
    await call('kms throttled', 'POST', collection(openai), {
      body: { credential_type: 'api_key', credential_value: C },
    });
    kms.on(GenerateDataKeyCommand).rejects(sdkError('AccessDeniedException'));
    await call('kms denied', 'POST', rotatePath(id), { body: { credential_value: C } });
    kms
      .on(DecryptCommand)
      .rejects(new DisabledException({ $metadata: META, message: `${KEY_ARN} disabled` }));
    await inProcess('kms disabled', () => secretFor(siblingOf(deps), openai));
  } finally {
    deps.keyProvider = local;
  }
}

/** D is the value of a referenced secret; then Secrets Manager throttles. */
async function secretStore(): Promise<void> {
  const client = new SecretsManagerClient({ region: 'eu-west-1' });
  deps.secretsManager = async () => client;
  const { json: provider } = await gw.call('POST', '/api/providers', { body: providerBody('canary-ref') });
  await call('create secret_ref', 'POST', collection(provider.id), {
    body: { credential_type: 'secret_ref', credential_value: SECRET_ARN },
  });
  sm.on(GetSecretValueCommand).resolves({ SecretString: D });
  await inProcess('resolve secret_ref', () => secretFor(siblingOf(deps), provider.id));
  const throttled = Object.assign(new Error(`Rate exceeded ${D}`), {
    name: 'ThrottlingException',
    $metadata: META,
  });
  sm.on(GetSecretValueCommand).rejects(throttled);
  await inProcess('secret store throttled', () => secretFor(siblingOf(deps), provider.id));
}

/** A flipped wrapped-key byte: resolve fails closed and the re-wrap reports the version. */
async function tampered(id: string) {
  const item = (await deps.table.get(keys.credential(id)))!;
  const versions = structuredClone(item.versions) as Array<{ secret: { wrapped_key: string } }>;
  const wrapped = Buffer.from(versions[1]!.secret.wrapped_key, 'base64');
  wrapped[20] = (wrapped[20] ?? 0) ^ 0x01;
  versions[1]!.secret.wrapped_key = wrapped.toString('base64');
  await deps.table.put({ ...item, versions });
  await inProcess('tampered', () => secretFor(siblingOf(deps), openai));
  await ((await deps.keyProvider()) as LocalKeyProvider).addMasterKey();
  const rewrap = await call('rewrap', 'POST', '/api/admin/credentials/rewrap', { body: { limit: 100 } });
  await deps.table.put(item);
  return rewrap;
}

/** Where each canary, in any encoding, was found. */
async function search(): Promise<string[]> {
  const raw = openRawStore(deps.config);
  const items = await raw.scan();
  raw.close();
  const places = { responses: seen.join('\n'), logs: logs.join(''), table: JSON.stringify(items) };
  const hits: string[] = [];
  for (const [where, text] of Object.entries(places)) {
    for (const [name, value] of Object.entries(CANARIES)) {
      for (const form of encodings(value)) if (text.includes(form)) hits.push(`${name} in ${where}`);
    }
  }
  return hits;
}

describe('credentials: a canary key is found nowhere', () => {
  it('exercises every credential route and failure path, then searches responses, logs and every table item', async () => {
    // Act: every route, every refusal, every dependency failure
    const id = await happyPath();
    const iam = await call('create aws_iam', 'POST', collection(bedrock), {
      body: { credential_type: 'aws_iam' },
    });
    const viewer = (await mintKey(gw, { role: 'viewer' })).key;
    const cases = refusals(id, iam.json.id, viewer);
    for (const [label, , method, path, options] of cases) await call(label, method, path, options);
    await storageThrottled();
    await kmsFaults(id);
    await secretStore();
    const rewrap = await tampered(id);
    await call('revoke', 'DELETE', `/api/providers/credentials/${id}`);
    await call('rotate revoked', 'POST', rotatePath(id), { body: { credential_value: A } });
    await call('list revoked', 'GET', collection(openai));
    // Assess: each path ran as intended
    expect(statuses).toMatchObject({
      ...Object.fromEntries(cases.map(([label, status]) => [label, status])),
      create: 201,
      list: 200,
      rotate: 200,
      'list after 401': 200,
      'storage throttled': 503,
      'kms throttled': 503,
      'kms denied': 500,
      'kms disabled': 500,
      'secret store throttled': 503,
      tampered: 500,
      rewrap: 200,
      revoke: 204,
      'rotate revoked': 409,
      'list revoked': 200,
    });
    expect(rewrap.json.failures).toEqual([
      { credential_id: id, version: 2, code: 'credential_decrypt_failed' },
    ]);
    expect(logs.join('')).toContain('credential rotated');
    expect(logs.join('')).toContain('"status":503');
    // Assess: zero occurrences of any canary, in any encoding, in responses, logs or the table
    expect(await search()).toEqual([]);
    expect(seen.length).toBeGreaterThanOrEqual(35);
  });
});
