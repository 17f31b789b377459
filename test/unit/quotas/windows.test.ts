import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quotaCreate } from '../../../lib/schemas/quotas.js';
import { rollupPlan } from '../../../lib/services/quotas/usage.js';
import {
  type QuotaWindow,
  utcWindow,
  type WindowKind,
  windowAt,
  zonedWindow,
} from '../../../lib/services/quotas/windows.js';
import { bucketStart, MS } from '../../../lib/services/usage/time.js';

const KINDS: WindowKind[] = ['hour', 'day', 'week', 'month', 'year'];
const ZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'Pacific/Kiritimati'];
const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2040, 0, 1) });

describe('quota windows', () => {
  it('computes UTC windows with Date arithmetic exactly as Temporal does', async () => {
    await fc.assert(
      fc.asyncProperty(instant, fc.constantFrom(...KINDS), async (ms, kind) => {
        expect(utcWindow(kind, ms)).toEqual(await zonedWindow(kind, 'UTC', ms));
      }),
      { numRuns: 300 },
    );
  });

  it('tiles time in every zone: each window holds its instant and the next starts where it ends', async () => {
    await fc.assert(
      fc.asyncProperty(
        instant,
        fc.constantFrom(...KINDS),
        fc.constantFrom(...ZONES),
        async (ms, kind, zone) => {
          const window = await windowAt(kind, zone, ms);
          expect(window.startMs).toBeLessThanOrEqual(ms);
          expect(window.endMs).toBeGreaterThan(ms);
          const next = await windowAt(kind, zone, window.endMs);
          expect(next.startMs).toBe(window.endMs);
          expect(next.id > window.id).toBe(true);
          // Every window starts and ends on a UTC hour: the rollups can count it exactly.
          expect(window.startMs % MS.HOUR).toBe(0);
          expect(window.endMs % MS.HOUR).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('names ISO weeks by the year of their Thursday, and knows a 23-hour day', async () => {
    expect(utcWindow('week', Date.parse('2027-01-01T12:00:00Z'))).toMatchObject({
      id: '2026-W53',
      startMs: Date.parse('2026-12-28T00:00:00Z'),
    });
    expect(utcWindow('week', Date.parse('2029-12-31T12:00:00Z')).id).toBe('2030-W01');
    expect(await windowAt('day', 'America/New_York', Date.parse('2031-03-09T12:00:00Z'))).toEqual({
      kind: 'day',
      id: '2031-03-09',
      startMs: Date.parse('2031-03-09T05:00:00Z'),
      endMs: Date.parse('2031-03-10T04:00:00Z'),
    });
    // TOOLCHAIN.md's check: the next midnight in Pacific/Kiritimati (UTC+14) is 10:00Z.
    expect((await windowAt('day', 'Pacific/Kiritimati', Date.parse('2031-06-01T12:00:00Z'))).endMs).toBe(
      Date.parse('2031-06-02T10:00:00Z'),
    );
  });
});

/** The UTC hours a plan counts: daily-rollup hours outside the whole days, monthly-rollup days inside. */
function hoursCounted(window: QuotaWindow): number[] {
  const plan = rollupPlan(window);
  const hours: number[] = [];
  for (const range of plan.days) {
    for (let day = bucketStart(range.from); day <= bucketStart(range.to); day += MS.DAY) {
      for (let h = day; h < day + MS.DAY; h += MS.HOUR) {
        const whole = h >= plan.fullFromMs && h < plan.fullToMs;
        if (!whole && h >= window.startMs && h < window.endMs) hours.push(h);
      }
    }
  }
  if (plan.months) {
    for (let day = plan.fullFromMs; day < plan.fullToMs; day += MS.DAY) {
      const month = new Date(day).toISOString().slice(0, 7);
      expect(month >= plan.months.from && month <= plan.months.to).toBe(true);
      for (let h = day; h < day + MS.DAY; h += MS.HOUR) hours.push(h);
    }
  }
  return hours.sort((a, b) => a - b);
}

describe('quota windows: which rollups count a window', () => {
  it('counts every hour of a window exactly once, and no other', async () => {
    await fc.assert(
      fc.asyncProperty(
        instant,
        fc.constantFrom(...KINDS),
        fc.constantFrom(...ZONES),
        async (ms, kind, zone) => {
          const window = await windowAt(kind, zone, ms);
          const expected: number[] = [];
          for (let h = window.startMs; h < window.endMs; h += MS.HOUR) expected.push(h);
          expect(hoursCounted(window)).toEqual(expected);
          // Short windows read daily rollups only; long ones at most two partial days of them.
          expect(rollupPlan(window).days.length).toBeLessThanOrEqual(
            kind === 'month' || kind === 'year' ? 2 : 1,
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('quota schema: time zones and thresholds', () => {
  const base = { quota_type: 'weekly_cost', limit_value: 5, scope: 'global' };

  it('stores a zone in its canonical spelling and refuses zones off whole hours', () => {
    expect(quotaCreate.parse({ ...base, time_zone: 'europe/berlin' }).time_zone).toBe('Europe/Berlin');
    expect(quotaCreate.parse(base)).toMatchObject({ time_zone: 'UTC', thresholds_percent: [] });
    for (const zone of ['Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Mars/Base', '', 'UTC+5']) {
      expect(quotaCreate.safeParse({ ...base, time_zone: zone }).success, zone).toBe(false);
    }
  });

  it('sorts thresholds and refuses repeats and values outside 1–100', () => {
    expect(quotaCreate.parse({ ...base, thresholds_percent: [100, 50, 80] }).thresholds_percent).toEqual([
      50, 80, 100,
    ]);
    for (const thresholds of [[50, 50], [0], [101], [1.5]]) {
      expect(quotaCreate.safeParse({ ...base, thresholds_percent: thresholds }).success).toBe(false);
    }
  });

  it('asks a team quota for its team, and no other scope for one', () => {
    const team = 'team_01m8bwjkr672zknf0jar5m8r48';
    expect(quotaCreate.safeParse({ ...base, scope: 'team', team_id: team, model_id: 'gpt-4o' }).success).toBe(
      true,
    );
    expect(quotaCreate.safeParse({ ...base, scope: 'team' }).success).toBe(false);
    expect(
      quotaCreate.safeParse({ ...base, scope: 'team', team_id: team, api_key_id: 'key_1' }).success,
    ).toBe(false);
    expect(quotaCreate.safeParse({ ...base, team_id: team }).success).toBe(false);
  });
});
