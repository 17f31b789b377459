import { describe, expect, it } from 'vitest';
import { ewma, LATENCY_ALPHA } from '../../../lib/services/routing/latency-store.js';
import { MAX_SHARDS, shardCount, shardShare, windowOf } from '../../../lib/services/routing/rate-limit.js';

const spec = (rpm: number | null, tpm: number | null = null) => ({ scope: 's', label: 's', rpm, tpm });

describe('routing: rate-limit windows and shards', () => {
  it('uses one item up to its capacity and splits larger limits', () => {
    expect(shardCount(spec(10))).toBe(1);
    expect(shardCount(spec(30_000))).toBe(1);
    expect(shardCount(spec(30_001))).toBe(2);
    expect(shardCount(spec(10_000_000))).toBe(MAX_SHARDS);
    expect(shardCount(spec(null, 90_000_000))).toBe(3);
    expect(shardCount(spec(2), 1)).toBe(2);
  });

  it('splits a limit into shares that sum to it exactly', () => {
    for (const [limit, shards] of [
      [10, 3],
      [7, 7],
      [100_003, 4],
      [1, 1],
    ] as const) {
      const shares = Array.from({ length: shards }, (_, i) => shardShare(limit, shards, i));
      expect(shares.reduce((a, b) => a + b, 0)).toBe(limit);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
    }
  });

  it('names fixed one-minute windows and their end', () => {
    const at = Date.parse('2026-11-26T12:34:56.789Z');
    expect(windowOf(at)).toEqual({
      minute: '2026-11-26T12:34',
      endsAt: Date.parse('2026-11-26T12:35:00.000Z'),
    });
  });
});

describe('routing: latency EWMA', () => {
  it('starts at the first sample and follows later ones by alpha', () => {
    expect(ewma(undefined, 100)).toBe(100);
    expect(ewma(100, 200)).toBeCloseTo(100 + LATENCY_ALPHA * 100);
    expect(ewma(100, -5)).toBeCloseTo(100 - LATENCY_ALPHA * 100);
  });
});
