import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listChecks } from '../../lib/services/health/history.js';
import { mapBounded } from '../../lib/services/health/run.js';
import { runHealthChecks } from '../../lib/services/health/scheduled.js';
import { getProviderHealth, readHealthState } from '../../lib/services/health/state-store.js';
import type { ProbeResult, ProviderProbe } from '../../lib/services/health/types.js';
import { readLock, releaseLock, takeLock } from '../../lib/services/incidents/lock.js';
import { listIncidents } from '../../lib/services/incidents/service.js';
import { updateProvider } from '../../lib/services/providers/service.js';
import { keys } from '../../lib/store/keys.js';
import { ACTOR, ADMIN } from '../support/principals.js';
import { type StoreHarness, startStoreHarness } from '../support/store-harness.js';
import { healthProvider, healthStore, T0 } from './health-fixtures.js';

const FAIL: ProbeResult = { ok: false, status: 503, latencyMs: 5, errorClass: 'server' };
const INTERVAL_MS = 300_000;
let h: StoreHarness;

/** A probe answering per provider id from `answers` (default ok, 10 ms), counting calls. */
function scriptedProbe(): ProviderProbe & { answers: Map<string, ProbeResult>; calls: number } {
  const answers = new Map<string, ProbeResult>();
  const probe = Object.assign(
    async (input: Parameters<ProviderProbe>[0]) => {
      probe.calls += 1;
      return answers.get(input.provider.id) ?? { ok: true, status: 200, latencyMs: 10 };
    },
    { answers, calls: 0 },
  );
  return probe;
}
const probe = scriptedProbe();

beforeAll(async () => {
  h = await startStoreHarness(healthStore());
});
afterAll(async () => {
  await h.close();
});

/** The scheduled time of slot `n` after T0, and the clock set to it. */
function at(n: number): string {
  const time = T0 + n * INTERVAL_MS;
  h.clock.set(time);
  return new Date(time).toISOString();
}

const run = (runId: string, scheduledAt: string, using: ProviderProbe = probe) =>
  runHealthChecks(h.deps, { runId, scheduledAt, budgetMs: 10_000, probe: using });

async function incidentsOf(providerId: string) {
  return (await listIncidents(h.deps, { limit: 100, provider_id: providerId }, ADMIN)).data;
}

describe('health run: a scheduled run delivered twice counts once', () => {
  it('does not double failure counts or open a second incident on a redelivery', async () => {
    // Prepare
    const id = await healthProvider(h.deps, 'dup-delivery');
    probe.answers.set(id, FAIL);
    // Act: each of three runs is delivered twice (same id, same time)
    const reports = [];
    for (let n = 1; n <= 3; n++) {
      const time = at(n);
      reports.push(await run(`evt-${n}`, time), await run(`evt-${n}`, time));
    }
    // Assess
    const state = await readHealthState(h.deps, id);
    expect(state).toMatchObject({ consecutive_failures: 3, status: 'down', seq: 3 });
    const firsts = reports.filter((_, i) => i % 2 === 0);
    const repeats = reports.filter((_, i) => i % 2 === 1);
    for (const report of firsts) expect(report.counted).toBe(report.providers);
    for (const report of repeats) expect(report).toMatchObject({ counted: 0, incidents_opened: [] });
    expect((await incidentsOf(id)).length).toBe(1);
    probe.answers.delete(id);
  });
});

describe('health run: overlapping runs', () => {
  it('counts a slot once when two runs of it overlap, and opens one incident', async () => {
    const id = await healthProvider(h.deps, 'overlap-same-slot');
    probe.answers.set(id, FAIL);
    for (let n = 10; n <= 13; n++) {
      const time = at(n);
      await Promise.all([run(`a-${n}`, time), run(`b-${n}`, time), run(`c-${n}`, time)]);
    }
    const state = await readHealthState(h.deps, id);
    expect(state).toMatchObject({ consecutive_failures: 4, status: 'down' });
    const incidents = await incidentsOf(id);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      source: 'automatic',
      status: 'open',
      opened_at: new Date(T0 + 12 * INTERVAL_MS).toISOString(),
    });
    const history = await listChecks(h.deps, { providerId: id, limit: 100 });
    expect(history.data).toHaveLength(12);
    expect(history.data.filter((c) => c.counted)).toHaveLength(4);
    probe.answers.delete(id);
  });

  it('counts both of two overlapping runs of consecutive slots, still one incident', async () => {
    const id = await healthProvider(h.deps, 'overlap-next-slot');
    probe.answers.set(id, FAIL);
    const first = at(20);
    const second = at(21);
    await run('s-20', first);
    await Promise.all([run('s-21', second), run('s-20-late', first)]);
    await Promise.all([run('s-22', at(22)), run('s-22-dup', at(22))]);
    expect(await readHealthState(h.deps, id)).toMatchObject({
      consecutive_failures: 3,
      last_slot: Math.floor((T0 + 22 * INTERVAL_MS) / INTERVAL_MS),
    });
    expect(await incidentsOf(id)).toHaveLength(1);
    probe.answers.delete(id);
  });
});

describe('health run: status mirror and incident lock', () => {
  it('sets health_status on the provider without bumping its version (admins PATCH unaffected)', async () => {
    const id = await healthProvider(h.deps, 'mirror');
    probe.answers.set(id, FAIL);
    for (let n = 30; n <= 32; n++) await run(`m-${n}`, at(n));
    const item = await h.deps.table.get(keys.provider(id));
    expect(item).toMatchObject({ health_status: 'down', version: 1 });
    const patched = await updateProvider(h.deps, {
      id,
      patch: { version: 1, priority: 7 },
      principal: ADMIN,
      actor: ACTOR,
    });
    expect(patched).toMatchObject({ version: 2, priority: 7, health_status: 'down' });
    probe.answers.delete(id);
  });

  it('heals a lock left without its incident, and never lets a late resolver free the next lock', async () => {
    const id = await healthProvider(h.deps, 'heal');
    await takeLock(h.deps, {
      provider_id: id,
      incident_id: 'inc_01m8bwjkr672zknf0jar5m8r48',
      opened_at: at(40),
    });
    probe.answers.set(id, FAIL);
    for (let n = 41; n <= 43; n++) await run(`h-${n}`, at(n));
    const incidents = await incidentsOf(id);
    expect(incidents.map((i) => i.id)).toEqual(['inc_01m8bwjkr672zknf0jar5m8r48']);
    expect(await releaseLock(h.deps, id, 'inc_someoneelse0000000000000000')).toBe(false);
    expect((await readLock(h.deps, id))?.incident_id).toBe('inc_01m8bwjkr672zknf0jar5m8r48');
    probe.answers.delete(id);
  });
});

describe('health run: what routing reads', () => {
  it('gives routing status and latency EWMA, unknown before the first check', async () => {
    const id = await healthProvider(h.deps, 'routing-read');
    expect(await getProviderHealth(h.deps, id)).toMatchObject({ status: 'unknown', latency_ewma_ms: null });
    probe.answers.set(id, { ok: true, status: 200, latencyMs: 40 });
    await run('r-50', at(50));
    expect(await getProviderHealth(h.deps, id)).toMatchObject({ status: 'healthy', latency_ewma_ms: 40 });
    probe.answers.set(id, { ok: true, status: 200, latencyMs: 140 });
    await run('r-51', at(51));
    expect(await getProviderHealth(h.deps, id)).toMatchObject({ status: 'healthy', latency_ewma_ms: 70 });
    probe.answers.delete(id);
  });
});

describe('health run: bounded in time', () => {
  it('cuts probes that never answer and finishes within its budget, skipping what it cannot start', async () => {
    // Prepare: 40 providers that never answer, 10 at a time, 300 ms per probe, 1 s for the run
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(await healthProvider(h.deps, `hang-${i}`));
    const never = Object.assign(() => new Promise<ProbeResult>(() => {}), {});
    // Act
    const started = performance.now();
    const report = await runHealthChecks(h.deps, {
      runId: 'budget',
      scheduledAt: at(60),
      budgetMs: 1_000,
      probeTimeoutMs: 300,
      concurrency: 10,
      probe: never,
    });
    const took = performance.now() - started;
    // Assess
    expect(took).toBeLessThan(1_250);
    expect(report.skipped).toBeGreaterThan(0);
    expect(report.checked + report.skipped + report.errors).toBe(report.providers);
    const states = await Promise.all(ids.map((id) => readHealthState(h.deps, id)));
    const checked = states.filter((s) => s !== undefined);
    expect(checked.length).toBeGreaterThan(0);
    for (const state of checked) expect(state?.last_error_class).toBe('timeout');
  });

  it('never runs more than `concurrency` workers at once', async () => {
    let active = 0;
    let peak = 0;
    await mapBounded(
      Array.from({ length: 25 }, (_, i) => i),
      4,
      async () => {
        active += 1;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 5));
        active -= 1;
      },
    );
    expect(peak).toBe(4);
  });
});
