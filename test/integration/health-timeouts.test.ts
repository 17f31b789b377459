import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../fakes/health-upstream.js';
import { providerBody } from '../support/runtime.js';
import { type HealthGateway, startHealthGateway } from './health-fixtures.js';

let hg: HealthGateway;
let hang: FakeUpstream;

beforeAll(async () => {
  hg = await startHealthGateway({ HEALTH_PROBE_TIMEOUT: '1', HEALTH_CONCURRENCY: '4' });
  hang = await startFakeUpstream('hang');
});
afterAll(async () => {
  await hang.close();
  await hg.stop();
});

describe('health: probe timeouts are bounded', () => {
  it('cuts an on-demand probe of an upstream that never answers at HEALTH_PROBE_TIMEOUT', async () => {
    const created = await hg.gw.call('POST', '/api/providers', {
      body: providerBody('hang-on-demand', { provider_type: 'custom', base_url: hang.url }),
    });
    const started = performance.now();
    const res = await hg.gw.call('POST', `/api/providers/${created.json.id}/health-check`);
    const took = performance.now() - started;
    expect(res.status).toBe(200);
    expect(res.json.check).toMatchObject({ result: 'error', error_class: 'timeout' });
    // Cut within the 1 s timeout (the probe's own clock starts a little after the deadline is set)
    expect(res.json.check.latency_ms).toBeGreaterThan(500);
    expect(res.json.check.latency_ms).toBeLessThanOrEqual(1_050);
    expect(took).toBeLessThan(2_000);
  });

  it('finishes a scheduled run over many hanging providers within its budget', async () => {
    for (let i = 0; i < 15; i++) {
      await hg.gw.call('POST', '/api/providers', {
        body: providerBody(`hang-${i}`, { provider_type: 'custom', base_url: hang.url }),
      });
    }
    const started = performance.now();
    const report = await hg.deliver('hang-run', hg.slot(1), 2_500);
    const took = performance.now() - started;
    // 16 providers, 4 at a time, 1 s each, would need 4 s: the 2.5 s budget cuts it
    expect(took).toBeLessThan(2_800);
    expect(report.providers).toBe(16);
    expect(report.skipped).toBeGreaterThan(0);
    expect(report.checked).toBeGreaterThanOrEqual(8);
  });
});
