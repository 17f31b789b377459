import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors.js';
import { appendPrice, priceAt } from '../../../lib/services/pricing.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const day = 86_400_000;

describe('pricing: an append-only history', () => {
  const history = [
    { input_per_1m: 2, output_per_1m: 8, effective_from: new Date(T0).toISOString() },
    { input_per_1m: 1, output_per_1m: 4, effective_from: new Date(T0 + 10 * day).toISOString() },
  ];

  it('answers the price in force at a moment, not the newest', () => {
    expect(priceAt(history, T0 + day)?.input_per_1m).toBe(2);
    expect(priceAt(history, T0 + 10 * day)?.input_per_1m).toBe(1);
    expect(priceAt(history, T0 - 1)).toBeNull();
  });

  it('appends a change without touching past entries', () => {
    const next = appendPrice(history, { input_per_1m: 3 }, T0 + 20 * day, { isNewModel: false });
    expect(next.slice(0, 2)).toEqual(history);
    expect(next[2]).toEqual({ input_per_1m: 3, effective_from: new Date(T0 + 20 * day).toISOString() });
  });

  it('refuses a change that would re-price the past', () => {
    const past = new Date(T0 + 19 * day).toISOString();
    expect(() =>
      appendPrice(history, { input_per_1m: 3, effective_from: past }, T0 + 20 * day, { isNewModel: false }),
    ).toThrow(ValidationError);
    const beforeLatest = new Date(T0 + 5 * day).toISOString();
    expect(() =>
      appendPrice(history, { input_per_1m: 3, effective_from: beforeLatest }, T0 + 5 * day, {
        isNewModel: false,
      }),
    ).toThrow(ValidationError);
  });
});
