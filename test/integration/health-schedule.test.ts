import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({ HEALTH_CHECK_INTERVAL: '5' });
});
afterAll(async () => {
  await gw.stop();
});

describe('local runtime: the health schedule', () => {
  it('runs the health function on HEALTH_CHECK_INTERVAL against active providers', {
    timeout: 20_000,
  }, async () => {
    // Prepare: a mock provider (probed in-process) that reports itself down
    const created = await gw.call('POST', '/api/providers', {
      body: providerBody('scheduled-mock', { provider_type: 'mock', metadata: { mock_health: 'down' } }),
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    // Act: wait for the first tick (one interval after start)
    let history: { status: number; json: { data: Array<Record<string, unknown>> } } | undefined;
    for (let waited = 0; waited < 12_000; waited += 250) {
      history = await gw.call('GET', `/api/providers/${id}/health-history`);
      if (history.json.data.length > 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    // Assess
    expect(history?.json.data[0]).toMatchObject({
      trigger: 'schedule',
      result: 'error',
      error_class: 'server',
      counted: true,
    });
    expect((await gw.call('GET', `/api/providers/${id}`)).json.health_status).toBe('degraded');
  });
});
