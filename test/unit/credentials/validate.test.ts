import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config.js';
import { credentialCreate } from '../../../lib/schemas/credentials.js';
import { hintOf } from '../../../lib/services/credentials/record.js';
import { checkCredentialValue, secretRefName } from '../../../lib/services/credentials/validate.js';

const PREFIX = 'ai-gateway/';
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret';

describe('secret_ref: only secrets under the configured prefix', () => {
  it.each([
    [`${ARN}:ai-gateway/openai-AbCdEf`, 'ai-gateway/openai-AbCdEf'],
    [`${ARN}:ai-gateway/team/anthropic`, 'ai-gateway/team/anthropic'],
    ['arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:ai-gateway/x', 'ai-gateway/x'],
  ])('accepts %s', (arn, name) => {
    expect(secretRefName(arn, PREFIX)).toBe(name);
  });

  it.each([
    ['another prefix', `${ARN}:other/openai`],
    ['the prefix alone', `${ARN}:ai-gateway/`],
    ['a prefix lookalike', `${ARN}:ai-gatewayx/openai`],
    ['a bare name', 'ai-gateway/openai'],
    ['another service', 'arn:aws:ssm:eu-west-1:123456789012:parameter/ai-gateway/openai'],
    ['a KMS key', 'arn:aws:kms:eu-west-1:123456789012:key/ai-gateway/x'],
    ['a bad account', 'arn:aws:secretsmanager:eu-west-1:1234:secret:ai-gateway/x'],
    ['a bad region', 'arn:aws:secretsmanager:mars:123456789012:secret:ai-gateway/x'],
    ['a path trick', `${ARN}:ai-gateway/../other`],
    ['spaces', `${ARN}:ai-gateway/a b`],
    ['a trailing newline', `${ARN}:ai-gateway/x\n`],
  ])('refuses %s', (_label, arn) => {
    expect(secretRefName(arn, PREFIX)).toBeUndefined();
  });
});

describe('checkCredentialValue: constant messages, never the value', () => {
  const pasted = 'fake-pasted-key-0123456789abcdef';
  const cases = [
    { type: 'secret_ref' as const, value: pasted, providerType: 'openai', status: 422 },
    { type: 'aws_iam' as const, value: pasted, providerType: 'bedrock', status: 422 },
    { type: 'aws_iam' as const, value: undefined, providerType: 'openai', status: 422 },
    { type: 'api_key' as const, value: undefined, providerType: 'openai', status: 422 },
  ];
  it.each(cases)('refuses $type with value=$value for $providerType', (input) => {
    let error: unknown;
    try {
      checkCredentialValue({ ...input, secretPrefix: PREFIX });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ statusCode: input.status });
    expect(JSON.stringify(error) + String(error)).not.toContain(pasted);
  });

  it('accepts aws_iam without a value for bedrock, and api_key with one', () => {
    expect(() =>
      checkCredentialValue({
        type: 'aws_iam',
        value: undefined,
        providerType: 'bedrock',
        secretPrefix: PREFIX,
      }),
    ).not.toThrow();
    expect(() =>
      checkCredentialValue({ type: 'api_key', value: 'x', providerType: 'bedrock', secretPrefix: PREFIX }),
    ).not.toThrow();
  });
});

describe('credential schema: values are refused without being echoed', () => {
  it.each([
    ['surrounding space', ' fake-key-0123456789abcdef'],
    ['a newline', 'fake-key-0123\n456789abcdef'],
    ['a NUL byte', 'fake-key-0123\u0000456789abcdef'],
    ['too long', `fake-key-${'x'.repeat(5000)}`],
  ])('refuses %s', (_label, value) => {
    const parsed = credentialCreate.safeParse({ credential_type: 'api_key', credential_value: value });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).not.toContain(value.slice(0, 16));
  });
});

describe('hint: at most the last 4 characters', () => {
  it('is given for api keys of 12 characters or more only', () => {
    expect(hintOf('api_key', 'abcdefghijkl')).toBe('ijkl');
    expect(hintOf('api_key', 'abcdefghijk')).toBeUndefined();
    expect(hintOf('secret_ref', `${ARN}:ai-gateway/openai`)).toBeUndefined();
    expect(hintOf('aws_iam', undefined)).toBeUndefined();
  });
});

describe('config: credential settings', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      CREDENTIAL_SECRET_PREFIX: 'ai-gateway/',
      CREDENTIAL_CACHE_TTL_SECONDS: 300,
      CREDENTIAL_CACHE_MAX_USES: 10_000,
      CREDENTIAL_GRACE_HOURS: 24,
    });
    expect(loadConfig({}).CREDENTIAL_KEY_ID).toBeUndefined();
  });

  it('accepts a key ARN or key id and refuses an alias', () => {
    const arn = 'arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-3333-4444-555566667777';
    expect(loadConfig({ CREDENTIAL_KEY_ID: arn }).CREDENTIAL_KEY_ID).toBe(arn);
    expect(
      loadConfig({ CREDENTIAL_KEY_ID: 'mrk-0123456789abcdef0123456789abcdef' }).CREDENTIAL_KEY_ID,
    ).toMatch(/^mrk-/);
    expect(() => loadConfig({ CREDENTIAL_KEY_ID: 'alias/gateway' })).toThrow(/CREDENTIAL_KEY_ID/);
    expect(() => loadConfig({ CREDENTIAL_GRACE_HOURS: '0' })).toThrow(/CREDENTIAL_GRACE_HOURS/);
  });
});
