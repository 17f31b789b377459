import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { keys } from '../../lib/store/keys.js';
import { startLocalRuntime } from '../../local/start.js';
import { secretFor } from '../support/credentials.js';
import { fakeProviderKey } from './credentials-fixtures.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'gw-rewrap-'));
const env = {
  ...process.env,
  DATA_DIR: dataDir,
  PORT: '0',
  ADMIN_API_KEY: 'gk_test_admin_key_0123456789abcdef',
  LOG_LEVEL: 'ERROR',
};
const run = promisify(execFile);

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

/** `npm run rewrap` as a user runs it (tsx on the script), against DATA_DIR on disk. */
async function rewrapScript(...args: string[]) {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/rewrap.ts', ...args], {
    cwd: ROOT,
    env: { ...env, GATEWAY_RUNTIME: 'local' },
  });
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return { stdout, report: JSON.parse(line) as Record<string, unknown> };
}

async function call(url: string, method: string, path: string, body?: unknown) {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${env.ADMIN_API_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as { id: string };
}

describe('npm run rewrap', () => {
  it('re-wraps every stored version under a new local master key, once, and the gateway still decrypts them', async () => {
    // Prepare: a gateway on DATA_DIR with 3 credentials, one rotated (4 versions)
    let runtime = await startLocalRuntime(env);
    const values = new Map<string, string>();
    for (let i = 0; i < 3; i++) {
      const provider = await call(runtime.url, 'POST', '/api/providers', {
        name: `rewrap-${i}`,
        provider_type: 'openai',
        service_types: ['llm'],
      });
      const value = fakeProviderKey(`script${i}`);
      const credential = await call(runtime.url, 'POST', `/api/providers/${provider.id}/credentials`, {
        credential_type: 'api_key',
        credential_value: value,
      });
      values.set(provider.id, value);
      if (i === 0) {
        const next = fakeProviderKey('script-rotated');
        await call(runtime.url, 'POST', `/api/providers/credentials/${credential.id}/rotate`, {
          credential_value: next,
        });
        values.set(provider.id, next);
      }
    }
    await runtime.close();
    // Act
    const first = await rewrapScript('--new-master-key');
    const second = await rewrapScript();
    // Assess
    expect(first.stdout).toMatch(/Added master key local-[0-9a-f]+/);
    expect(first.report).toMatchObject({
      credentials: 3,
      scanned: 4,
      rewrapped: 4,
      skipped: 0,
      failed: 0,
      complete: true,
    });
    expect(second.report).toMatchObject({ scanned: 4, rewrapped: 0, skipped: 4, failed: 0 });
    const current = (
      JSON.parse(readFileSync(join(dataDir, 'master-keys.json'), 'utf8')) as { current: string }
    ).current;
    runtime = await startLocalRuntime(env);
    try {
      const deps = runtime.deps;
      for (const [providerId, value] of values) {
        expect((await secretFor(deps, providerId))?.value).toBe(value);
        const [item] = await deps.table.queryAll({
          index: 'gsi1',
          partition: keys.credentialsOfProvider(providerId),
        });
        const versions = item?.versions as Array<{ secret: { key_id: string } }>;
        expect(versions.every((v) => v.secret.key_id === current)).toBe(true);
      }
    } finally {
      await runtime.close();
    }
  });
});
