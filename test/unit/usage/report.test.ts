import { describe, expect, it } from 'vitest';
import { wantsCsv } from '../../../lib/endpoints/usage-reply.js';
import { BadRequestError } from '../../../lib/errors.js';
import { aggregate } from '../../../lib/services/usage/aggregate.js';
import { zeroCounters } from '../../../lib/services/usage/counters.js';
import { usageReportCsv } from '../../../lib/services/usage/csv.js';
import { resolveRange } from '../../../lib/services/usage/report.js';
import type { Item } from '../../../lib/store/table.js';

const NOW = Date.parse('2031-03-10T10:30:00.000Z');

describe('usage report: ranges', () => {
  it('reads a date-only end as inclusive and floors the start to the granularity', () => {
    expect(
      resolveRange({ granularity: 'day', start_date: '2031-03-01', end_date: '2031-03-02' }, NOW),
    ).toEqual({
      fromMs: Date.parse('2031-03-01T00:00:00Z'),
      toMs: Date.parse('2031-03-03T00:00:00Z'),
    });
    const hours = resolveRange({ granularity: 'hour', start_date: '2031-03-10T08:15:00.000Z' }, NOW);
    expect(new Date(hours.fromMs).toISOString()).toBe('2031-03-10T08:00:00.000Z');
    expect(new Date(hours.toMs).toISOString()).toBe('2031-03-10T11:00:00.000Z');
  });

  it('defaults to the last 30 days, and refuses inverted or oversized ranges', () => {
    const days = resolveRange({ granularity: 'day' }, NOW);
    expect((days.toMs - days.fromMs) / 86_400_000).toBe(30);
    expect(() =>
      resolveRange({ granularity: 'day', start_date: '2031-03-05', end_date: '2031-03-01' }, NOW),
    ).toThrow(BadRequestError);
    expect(() =>
      resolveRange({ granularity: 'hour', start_date: '2031-01-01', end_date: '2031-03-01' }, NOW),
    ).toThrow(/at most 744/i);
  });
});

describe('usage report: aggregation and CSV', () => {
  const counters = (requests: number, cost: number) => ({ ...zeroCounters(), requests, cost_nanos: cost });
  const daily: Item = {
    pk: 'USAGE#p',
    sk: 'D#2031-03-10#m=a|k=k|s=llm',
    bucket: '2031-03-10',
    model_id: '@cf/meta',
    h09_00: counters(2, 1_500_000_000),
    h09_01: counters(1, 10),
    h10_00: counters(4, 5),
  };

  it('sums shards of one hour and drops points outside the range', () => {
    const from = Date.parse('2031-03-10T09:00:00Z');
    const { totals, cells } = aggregate([daily], {
      fromMs: from,
      toMs: from + 3_600_000,
      granularity: 'hour',
      groupBy: 'model',
    });
    expect(totals.requests).toBe(3);
    expect(totals.cost_nanos).toBe(1_500_000_010);
    expect(cells.get('2031-03-10T09:00:00.000Z')?.get('@cf/meta')?.requests).toBe(3);
  });

  it('writes CSV that a spreadsheet cannot read as a formula', () => {
    const figures = {
      requests: 1,
      errors: 0,
      input_tokens: 1,
      output_tokens: 1,
      cached_input_tokens: 0,
      audio_seconds: 0,
      characters: 0,
      cost_usd: 1.5,
      avg_latency_ms: null,
      unpriced_requests: 0,
      images: 0,
      cache_write_tokens: 7,
      reasoning_tokens: 0,
      cache_hits: 1,
      cache_hit_rate: 1,
      cache_hit_tokens: 19,
      cost_saved_usd: 0.25,
      cancelled: 0,
    };
    const csv = usageReportCsv({
      provider_id: null,
      start: '2031-03-10T00:00:00.000Z',
      end: '2031-03-11T00:00:00.000Z',
      granularity: 'day',
      group_by: 'model',
      team_id: null,
      totals: figures,
      series: [{ period: '2031-03-10T00:00:00.000Z', group: '=cmd|"x"', ...figures }],
    });
    expect(csv.split('\r\n')[1]).toBe(
      `2031-03-10T00:00:00.000Z,"'=cmd|""x""",1,0,1,1,0,0,0,1.5,,0,0,7,0,1,1,19,0.25,0`,
    );
  });

  it('answers CSV only when the caller prefers it', () => {
    expect(wantsCsv('text/csv')).toBe(true);
    expect(wantsCsv('application/json, text/csv')).toBe(false);
    expect(wantsCsv('application/json;q=0.5, text/csv')).toBe(true);
    expect(wantsCsv('text/csv;q=0, */*')).toBe(false);
    expect(wantsCsv(undefined)).toBe(false);
  });
});
