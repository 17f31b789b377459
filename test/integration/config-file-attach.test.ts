import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openToolDeps } from '../../local/attach.js';
import { runConfigCommand } from '../../scripts/config/command.js';
import { createOpenAIFake } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/server.js';
import { CONFIG_ENV, changeLines, SAMPLE_PLAN, sampleFile } from '../support/config-file.js';
import { startTestGateway, type TestGateway } from '../support/runtime.js';

let gw: TestGateway;
let fake: FakeUpstream;
const folder = mkdtempSync(join(tmpdir(), 'gw-config-attach-'));

beforeAll(async () => {
  fake = createOpenAIFake();
  await fake.start();
  // Rules are re-read on every request, so what the tool writes serves at once.
  gw = await startTestGateway({ ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32', ROUTING_CACHE_TTL: '0' });
});
afterAll(async () => {
  await gw.stop();
  await fake.stop();
  rmSync(folder, { recursive: true, force: true });
});

/** `npm run config:<command>` as the script runs it, from `folder`, on the running gateway's DATA_DIR. */
async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runConfigCommand(argv, {
    // The tool applies the SSRF rules of its own environment, like the gateway.
    env: {
      ...CONFIG_ENV,
      DATA_DIR: gw.runtime.dataDir,
      LOG_LEVEL: 'ERROR',
      ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32',
    },
    cwd: folder,
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

describe('config file: applied to a running local gateway through its store', () => {
  it('attaches, applies, and the running gateway serves the new key through the new rule', async () => {
    writeFileSync(join(folder, 'gateway.config.yaml'), sampleFile(fake.origin));
    const plan = await run('plan');
    expect(changeLines(plan.out)).toEqual(SAMPLE_PLAN);
    const apply = await run('apply', '--keys-out', 'keys.json');
    expect(apply).toMatchObject({ code: 0, err: '' });
    const { key } = JSON.parse(readFileSync(join(folder, 'keys.json'), 'utf8'))['platform-ci'];
    const chat = await gw.call('POST', '/v1/chat/completions', {
      key,
      body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'attached' }] },
    });
    expect(chat.status).toBe(200);
    expect(fake.last().headers.authorization).toBe(`Bearer ${CONFIG_ENV.CONFIG_TEST_OPENAI_KEY}`);
    expect((await run('plan')).out).toContain('No changes. 8 objects already as declared.');
  });

  it('plans no loopback base_url where the environment does not allow one, before anything is written', async () => {
    writeFileSync(
      join(folder, 'loopback.yaml'),
      'providers:\n  - name: local-llm\n    provider_type: custom\n    service_types: [llm]\n    base_url: http://127.0.0.1:9/v1\n',
    );
    const env = { DATA_DIR: gw.runtime.dataDir, LOG_LEVEL: 'ERROR' };
    let err = '';
    const code = await runConfigCommand(['plan', 'loopback.yaml'], {
      env,
      cwd: folder,
      out: () => {},
      err: (t) => {
        err += t;
      },
      open: openToolDeps,
    });
    expect(code).toBe(1);
    expect(err).toContain(
      'providers.0.base_url: base_url host is a loopback, private, link-local or reserved address',
    );
  });

  it('reports a file that names a secret in one message, exit code 1, nothing applied', async () => {
    const leaked = ['sk', 'ant', 'api03', 'Zz9'.repeat(12)].join('-');
    writeFileSync(join(folder, 'leak.yaml'), `teams:\n  - name: leak\n    metadata: { key: "${leaked}" }\n`);
    const result = await run('apply', 'leak.yaml');
    expect(result.code).toBe(1);
    expect(result.err).toContain('teams.0.metadata.key: looks like a secret key');
    expect(result.err).not.toContain(leaked);
    expect((await gw.call('GET', '/api/teams')).json.data.map((t: { name: string }) => t.name)).toEqual([
      'platform',
    ]);
  });
});
