import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importEnvironmentCredentials } from '../../lib/services/credentials/environment.js';
import { listCredentials } from '../../lib/services/credentials/service.js';
import { secretFor } from '../support/credentials.js';
import { siblingOf } from '../support/instances.js';
import { ADMIN } from '../support/principals.js';
import { type StoreHarness, startStoreHarness } from '../support/store-harness.js';
import { CountingKeyProvider, encodings, fakeProviderKey, newProvider } from './credentials-fixtures.js';

let h: StoreHarness;
let counting: CountingKeyProvider;
let providers: { openai: string; anthropic: string; cohere: string; huggingface: string };
beforeAll(async () => {
  h = await startStoreHarness();
  counting = new CountingKeyProvider(await h.deps.keyProvider());
  h.deps.keyProvider = async () => counting;
  providers = {
    openai: await newProvider(h.deps, 'openai'),
    anthropic: await newProvider(h.deps, 'anthropic'),
    cohere: await newProvider(h.deps, 'cohere'),
    huggingface: await newProvider(h.deps, 'huggingface'),
  };
});
afterAll(async () => {
  await h.close();
});

const count = async (providerId: string) =>
  (await listCredentials(h.deps, { providerId, limit: 100, principal: ADMIN })).data;

describe('importEnvironmentCredentials', () => {
  it('turns the four variables into api_key credentials of the default providers', async () => {
    // Prepare
    const env = {
      OPENAI_API_KEY: fakeProviderKey('openai'),
      ANTHROPIC_API_KEY: fakeProviderKey('anthropic'),
      COHERE_API_KEY: ` ${fakeProviderKey('cohere')}\n`,
      HF_TOKEN: fakeProviderKey('hf'),
    };
    // Act
    const report = await importEnvironmentCredentials(h.deps, env, providers);
    // Assess
    expect(report.map((r) => [r.variable, r.outcome])).toEqual([
      ['OPENAI_API_KEY', 'created'],
      ['ANTHROPIC_API_KEY', 'created'],
      ['COHERE_API_KEY', 'created'],
      ['HF_TOKEN', 'created'],
    ]);
    expect((await secretFor(siblingOf(h.deps), providers.cohere))?.value).toBe(env.COHERE_API_KEY.trim());
    const [openai] = await count(providers.openai);
    expect(openai).toMatchObject({ name: 'OPENAI_API_KEY', credential_type: 'api_key', version: 1 });
    const reportText = JSON.stringify(report);
    for (const value of Object.values(env))
      for (const form of encodings(value.trim())) expect(reportText).not.toContain(form);
  });

  it('changes nothing on a second run with the same values, and rotates a changed one', async () => {
    const env = { OPENAI_API_KEY: fakeProviderKey('o2') };
    const scoped = { openai: await newProvider(h.deps, 'openai') };
    await importEnvironmentCredentials(h.deps, env, scoped);
    const generated = counting.calls.generate;
    const again = await importEnvironmentCredentials(h.deps, env, scoped);
    expect(again[0]).toMatchObject({ outcome: 'unchanged' });
    expect(counting.calls.generate).toBe(generated);
    const [unchanged] = await count(scoped.openai);
    expect(unchanged).toMatchObject({ version: 1 });
    const changed = { OPENAI_API_KEY: fakeProviderKey('o3') };
    const rotated = await importEnvironmentCredentials(h.deps, changed, scoped);
    expect(rotated[0]).toMatchObject({ outcome: 'rotated', credential_id: unchanged?.id });
    const list = await count(scoped.openai);
    expect(list).toHaveLength(1);
    expect(list[0]?.versions.map((v) => v.status)).toEqual(['retiring', 'active']);
    expect((await secretFor(siblingOf(h.deps), scoped.openai))?.value).toBe(changed.OPENAI_API_KEY);
  });

  it('skips unset variables and types without a provider', async () => {
    const report = await importEnvironmentCredentials(
      h.deps,
      { OPENAI_API_KEY: '  ', HF_TOKEN: fakeProviderKey() },
      {},
    );
    expect(report.map((r) => [r.variable, r.outcome, r.reason])).toEqual([
      ['OPENAI_API_KEY', 'skipped', 'not_set'],
      ['ANTHROPIC_API_KEY', 'skipped', 'not_set'],
      ['COHERE_API_KEY', 'skipped', 'not_set'],
      ['HF_TOKEN', 'skipped', 'no_provider'],
    ]);
  });

  it('refuses an unusable value naming the variable, never the value', async () => {
    const value = `${fakeProviderKey('ctl')}\u0007tail`;
    const error = await importEnvironmentCredentials(
      h.deps,
      { OPENAI_API_KEY: value },
      { openai: providers.openai },
    ).catch((e: Error) => e);
    expect(error).toMatchObject({ statusCode: 422 });
    expect((error as Error).message).toContain('OPENAI_API_KEY');
    expect(JSON.stringify(error) + String(error)).not.toContain(value.slice(0, 20));
  });
});
