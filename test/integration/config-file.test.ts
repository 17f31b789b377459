import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyConfig,
  exportConfig,
  planConfig,
  readConfigText,
  renderPlan,
} from '../../lib/services/config-file/index.js';
import { createOpenAIFake } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/server.js';
import { changeLines, CONFIG_ENV as ENV, SAMPLE_PLAN, sampleFile } from '../support/config-file.js';
import { startTestGateway, type TestGateway } from '../support/runtime.js';

let gw: TestGateway;
let fake: FakeUpstream;
beforeAll(async () => {
  fake = createOpenAIFake();
  await fake.start();
  gw = await startTestGateway({ ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32' });
});
afterAll(async () => {
  await gw.stop();
  await fake.stop();
});

describe('config file: plan, apply, export on the local runtime', () => {
  it('plans, applies, serves a chat through the rule, then plans no change and exports the same file', async () => {
    // Prepare
    const deps = gw.runtime.deps;
    const file = readConfigText(sampleFile(fake.origin), 'gateway.config.yaml');
    // Act: plan (writes nothing)
    const plan = await planConfig(deps, file, { env: ENV });
    // Assess
    expect(changeLines(renderPlan(plan))).toEqual(SAMPLE_PLAN);
    expect((await gw.call('GET', '/api/providers')).json.data).toEqual([]);

    // Act: apply
    const applied = await applyConfig(deps, file, { env: ENV });
    // Assess: the key the file lists works, and the rule sends its chat to the provider with the stored key
    expect(applied.createdKeys.map((k) => k.name)).toEqual(['platform-ci']);
    const key = applied.createdKeys[0]!.key;
    const chat = await gw.call('POST', '/v1/chat/completions', {
      key,
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'through the rule' }] },
    });
    expect(chat.status).toBe(200);
    expect(chat.json.choices[0].message.content).toBe('echo: through the rule');
    expect(fake.last().headers.authorization).toBe(`Bearer ${ENV.CONFIG_TEST_OPENAI_KEY}`);
    // The team's cost quota applies to the key's request.
    expect(Number(chat.headers.get('x-gateway-budget-remaining'))).toBeLessThanOrEqual(25);

    // Act: a second apply
    const again = await applyConfig(deps, file, { env: ENV });
    // Assess
    expect(again.changes).toEqual([]);
    expect(again.createdKeys).toEqual([]);
    expect(renderPlan(again, { applied: true })).toMatch(/^No changes\. 8 objects already as declared\.\n$/);

    // Act: export, read back as a file
    const exported = await exportConfig(deps);
    const reread = readConfigText(JSON.stringify(exported.document), 'export');
    // Assess: the same objects as the file declared, and applying the export changes nothing
    expect(reread).toEqual(file);
    expect((await planConfig(deps, reread, { env: ENV })).changes).toEqual([]);
  });

  it('names config as the actor of every change in the audit trail', async () => {
    await gw.runtime.streams!.idle();
    const events = (await gw.call('GET', '/api/audit?actor=config&limit=100')).json.data as Array<{
      actor_key_id: string;
      target_type: string;
      action: string;
    }>;
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.actor_key_id === 'config')).toBe(true);
    const created = new Set(events.map((e) => e.action));
    for (const type of ['provider', 'model', 'team', 'routing_rule', 'quota', 'credential']) {
      expect(created).toContain(`${type}.created`);
    }
  });

  it('shows a changed field as a diff, applies it, and deletes only with prune', async () => {
    const deps = gw.runtime.deps;
    const changed = readConfigText(sampleFile(fake.origin, { limit: 40, priority: 5 }));
    const plan = renderPlan(await planConfig(deps, changed, { env: ENV }));
    expect(plan).toContain('~ change routing rule "chat-default"\n      priority: 10 -> 5\n');
    expect(plan).toContain('~ change quota team "platform" daily_cost\n      limit_value: 25 -> 40\n');
    await applyConfig(deps, changed, { env: ENV });
    expect((await planConfig(deps, changed, { env: ENV })).changes).toEqual([]);

    const withoutQuota = readConfigText(
      sampleFile(fake.origin, { limit: 40, priority: 5 }).replace(/quotas:[\s\S]*$/, 'quotas: []\n'),
    );
    const kept = await planConfig(deps, withoutQuota, { env: ENV });
    expect(kept.changes).toEqual([]);
    expect(kept.notes).toContain(
      'quota team "platform" daily_cost is not in the file (kept; --prune deletes it)',
    );
    await applyConfig(deps, withoutQuota, { env: ENV, prune: true });
    expect((await gw.call('GET', '/api/quotas')).json.data).toEqual([]);
  });

  it('rotates the stored credential when the variable holds a new value', async () => {
    const deps = gw.runtime.deps;
    const file = readConfigText(
      sampleFile(fake.origin, { limit: 40, priority: 5 }).replace(/quotas:[\s\S]*$/, ''),
    );
    const env = { CONFIG_TEST_OPENAI_KEY: 'config-test-provider-value-0002' };
    expect(changeLines(renderPlan(await planConfig(deps, file, { env })))).toEqual([
      '~ change credential of "openai-main" from CONFIG_TEST_OPENAI_KEY',
    ]);
    await applyConfig(deps, file, { env });
    expect((await planConfig(deps, file, { env })).changes).toEqual([]);
  });
});

describe('config file: what it refuses', () => {
  const keyShaped = ['sk', 'proj', 'Q'.repeat(32)].join('-');

  it('refuses a key-shaped value anywhere, naming where and never echoing it', () => {
    const text = `providers:\n  - name: p\n    provider_type: openai\n    service_types: [llm]\n    metadata: { note: "${keyShaped}" }\n`;
    const error = (() => {
      try {
        readConfigText(text, 'gateway.config.yaml');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toContain('providers.0.metadata.note: looks like a secret key');
    expect(error?.message).not.toContain(keyShaped);
  });

  it('refuses a credential field, an unknown field and an invalid API value, with their paths', () => {
    expect(() =>
      readConfigText(
        'providers:\n  - name: p\n    provider_type: openai\n    service_types: [llm]\n    api_key: abc\n',
      ),
    ).toThrow(/providers\.0\.api_key: credentials never go in this file/);
    expect(() => readConfigText('teams:\n  - name: t\n    colour: blue\n')).toThrow(
      /teams\.0: Unrecognized key: "colour"/,
    );
    expect(() =>
      readConfigText('quotas:\n  - scope: team\n    quota_type: daily_cost\n    limit_value: 5\n'),
    ).toThrow(/quotas\.0\.team_id: scope team needs team_id/);
  });

  it('refuses a reference to a provider that is neither in the file nor stored', async () => {
    const file = readConfigText(
      'routing_rules:\n  - rule_name: r\n    rule_type: primary_fallback\n    service_type: llm\n    model_pattern: x\n    providers: [nowhere]\n',
    );
    await expect(planConfig(gw.runtime.deps, file)).rejects.toThrow(
      /routing_rules\.0\.providers: no provider named "nowhere"/,
    );
  });
});
