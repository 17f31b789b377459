import { describe, expect, it } from 'vitest';
import { endsIncident, needsIncident, nextHealthState } from '../../../lib/services/health/rules.js';
import type { HealthRules, HealthState, ProbeResult } from '../../../lib/services/health/types.js';

const RULES: HealthRules = {
  failuresToDown: 3,
  successesToRecover: 2,
  degradedLatencyMs: 1_000,
  ewmaAlpha: 0.5,
};
const OK: ProbeResult = { ok: true, status: 200, latencyMs: 100 };
const FAIL: ProbeResult = { ok: false, status: 503, latencyMs: 20, errorClass: 'server' };
const THROTTLED: ProbeResult = { ok: false, status: 429, latencyMs: 20, errorClass: 'rate_limited' };

/** Feeds results one slot apart and returns every state. */
function run(results: ProbeResult[], rules = RULES): HealthState[] {
  const states: HealthState[] = [];
  let state: HealthState | undefined;
  results.forEach((result, slot) => {
    const observedAt = new Date(Date.UTC(2031, 0, 1, 0, slot * 5)).toISOString();
    state = nextHealthState('prov_x', state, { result, observedAt, slot }, rules);
    states.push(state);
  });
  return states;
}

describe('health rules: status from consecutive checks', () => {
  it('goes healthy → degraded → down after N failures, and back to healthy only after M successes', () => {
    // Prepare / Act
    const states = run([OK, FAIL, FAIL, FAIL, FAIL, OK, OK, OK]);
    // Assess
    expect(states.map((s) => s.status)).toEqual([
      'healthy',
      'degraded',
      'degraded',
      'down',
      'down',
      'down',
      'healthy',
      'healthy',
    ]);
    expect(states.map((s) => s.consecutive_failures)).toEqual([0, 1, 2, 3, 4, 0, 0, 0]);
    expect(states.map((s) => s.consecutive_successes)).toEqual([1, 0, 0, 0, 0, 1, 2, 3]);
  });

  it('asks for an incident from the Nth failure on and ends it from the Mth success on', () => {
    const states = run([FAIL, FAIL, FAIL, FAIL, OK, OK]);
    expect(states.map((s) => needsIncident(s, RULES))).toEqual([false, false, true, true, false, false]);
    expect(states.map((s) => endsIncident(s, RULES))).toEqual([false, false, false, false, false, true]);
  });

  it('treats a 429 as up-but-busy: degraded, neither counter moves, a down provider stays down', () => {
    const states = run([OK, THROTTLED, FAIL, FAIL, THROTTLED, FAIL, THROTTLED]);
    expect(states.map((s) => s.status)).toEqual([
      'healthy',
      'degraded',
      'degraded',
      'degraded',
      'degraded',
      'down',
      'down',
    ]);
    expect(states[4]?.consecutive_failures).toBe(2);
    expect(states[6]?.consecutive_failures).toBe(3);
  });

  it('keeps a latency EWMA of successful probes only and is degraded while it is above the threshold', () => {
    const slow: ProbeResult = { ok: true, status: 200, latencyMs: 3_000 };
    const states = run([OK, slow, FAIL, OK, OK, OK]);
    expect(states.map((s) => s.latency_ewma_ms)).toEqual([100, 1_550, 1_550, 825, 462.5, 281.25]);
    expect(states.map((s) => s.status)).toEqual([
      'healthy',
      'degraded',
      'degraded',
      'healthy',
      'healthy',
      'healthy',
    ]);
  });

  it('records when the status last changed and the slot it counted', () => {
    const states = run([OK, OK, FAIL]);
    expect(states[1]?.status_since).toBe(states[0]?.status_since);
    expect(states[2]?.status_since).toBe(states[2]?.last_checked_at);
    expect(states.map((s) => [s.last_slot, s.seq])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
  });

  it('opens on the first failure when N is 1', () => {
    const states = run([FAIL], { ...RULES, failuresToDown: 1 });
    expect(states[0]?.status).toBe('down');
    expect(needsIncident(states[0] as HealthState, { ...RULES, failuresToDown: 1 })).toBe(true);
  });
});
