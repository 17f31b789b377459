import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog, readCatalog } from '../../lib/services/catalog/load.js';
import { startTestGateway, type TestGateway } from '../support/runtime.js';

const CATALOG = fileURLToPath(new URL('../../data/default-catalog.json', import.meta.url));
const actor = { keyId: 'test', requestId: 'r', sourceIp: '' };

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

describe('default catalog: npm run init', () => {
  it('loads the reviewed providers and models, validated by the API schemas', async () => {
    const catalog = readCatalog(CATALOG);
    const report = await loadCatalog(gw.runtime.deps, catalog, actor);
    expect(report.providers.created.sort()).toEqual(['anthropic', 'cohere', 'huggingface', 'openai']);
    const modelCount = catalog.providers.reduce((n, p) => n + p.models.length, 0);
    expect(report.models.created).toBe(modelCount);
    const providers = await gw.call('GET', '/api/providers?limit=100');
    expect(providers.json.data).toHaveLength(4);
    const models = await gw.call('GET', '/api/providers/models?limit=100');
    expect(models.json.data).toHaveLength(modelCount);
    const embedding = models.json.data.find(
      (m: { model_id: string }) => m.model_id === 'text-embedding-3-small',
    );
    expect(embedding.pricing.input_per_1m).toBeGreaterThan(0);
  });

  it('is idempotent: a second run changes nothing', async () => {
    const before = await gw.call('GET', '/api/providers/models?limit=100');
    const report = await loadCatalog(gw.runtime.deps, readCatalog(CATALOG), actor);
    expect(report.providers.created).toEqual([]);
    expect(report.models.created).toBe(0);
    const after = await gw.call('GET', '/api/providers/models?limit=100');
    expect(after.json).toEqual(before.json);
  });

  it('leaves an operator edit in place', async () => {
    const list = await gw.call('GET', '/api/providers?provider_type=cohere');
    const cohere = list.json.data[0];
    await gw.call('PATCH', `/api/providers/${cohere.id}`, { body: { priority: 1 } });
    await loadCatalog(gw.runtime.deps, readCatalog(CATALOG), actor);
    expect((await gw.call('GET', `/api/providers/${cohere.id}`)).json.priority).toBe(1);
  });
});
