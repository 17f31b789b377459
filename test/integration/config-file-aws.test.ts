import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfigText } from '../../lib/services/config-file/index.js';
import { openToolDeps } from '../../local/attach.js';
import { runConfigCommand } from '../../scripts/config/command.js';
import { type FakeKms, installFakeKms, KEY_ARN } from '../fakes/kms.js';
import { CONFIG_ENV, changeLines, SAMPLE_PLAN, sampleFile } from '../support/config-file.js';
import { startTestGateway, type TestGateway } from '../support/runtime.js';

const PEPPER_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ai-gateway/pepper-AbCdEf';
const ORIGIN = 'https://llm.example.com';

let gw: TestGateway;
let kms: FakeKms;
const secrets = mockClient(SecretsManagerClient);
const folder = mkdtempSync(join(tmpdir(), 'gw-config-aws-'));

beforeAll(async () => {
  kms = installFakeKms();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: 'p'.repeat(64) });
  // The local runtime here is only the stand-in DynamoDB (dynalite) and its table.
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
  kms.kms.restore();
  secrets.restore();
  rmSync(folder, { recursive: true, force: true });
});

/** Runs `npm run config:<command>` as the script does, in AWS terms: GATEWAY_RUNTIME=aws, TABLE_NAME. */
async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const env = {
    ...CONFIG_ENV,
    GATEWAY_RUNTIME: 'aws',
    TABLE_NAME: gw.runtime.deps.config.TABLE_NAME,
    DYNAMODB_ENDPOINT: gw.runtime.deps.config.DYNAMODB_ENDPOINT,
    AWS_REGION: 'eu-west-1',
    CREDENTIAL_KEY_ID: KEY_ARN,
    API_KEY_PEPPER_SECRET_ARN: PEPPER_ARN,
    LOG_LEVEL: 'ERROR',
  };
  const code = await runConfigCommand(argv, {
    env,
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    open: openToolDeps,
  });
  return { code, out, err };
}

describe('config file: the same file against a stack, in AWS terms', () => {
  it('plans, applies with KMS-wrapped credentials, reapplies with no change, and exports the file', async () => {
    // Prepare
    const file = join(folder, 'gateway.config.yaml');
    writeFileSync(file, sampleFile(ORIGIN));
    const keysOut = join(folder, 'keys.json');
    // Act
    const plan = await run('plan', file);
    const apply = await run('apply', file, '--keys-out', keysOut);
    const again = await run('apply', file);
    const exported = await run('export', '--json');
    // Assess
    expect(plan).toMatchObject({ code: 0, err: '' });
    expect(changeLines(plan.out)).toEqual(SAMPLE_PLAN);
    expect(apply).toMatchObject({ code: 0, err: '' });
    expect(apply.out).toContain('8 created, 0 changed, 0 deleted; 0 unchanged.');
    expect(apply.out).not.toMatch(/gk_/);
    expect(statSync(keysOut).mode & 0o777).toBe(0o600);
    const keys = JSON.parse(readFileSync(keysOut, 'utf8'));
    expect(keys['platform-ci'].key).toMatch(/^gk_/);
    expect(kms.count('GenerateDataKey')).toBe(1);
    expect(again.out).toContain('No changes. 8 objects already as declared.');
    expect(readConfigText(exported.out)).toEqual(readConfigText(sampleFile(ORIGIN)));
  });

  it('refuses to overwrite a secrets file before creating any key: one line, exit code 1', async () => {
    const file = join(folder, 'more.yaml');
    writeFileSync(file, 'api_keys:\n  - name: another\n    role: viewer\n');
    const keysOut = join(folder, 'keys.json');
    const result = await run('apply', file, '--keys-out', keysOut);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /^config apply failed: cannot create .*keys\.json \(EEXIST\); it must not exist yet\n$/,
    );
    expect((await run('plan', file)).out).toContain('+ create API key "another"');
  });
});
