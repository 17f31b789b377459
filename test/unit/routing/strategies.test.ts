import { describe, expect, it } from 'vitest';
import type { Model } from '../../../lib/schemas/models.js';
import type { Provider } from '../../../lib/schemas/providers.js';
import { unitPrice } from '../../../lib/services/routing/strategies/cost-optimized.js';
import type { Eligible, StrategyContext } from '../../../lib/services/routing/strategies/index.js';
import { weighted } from '../../../lib/services/routing/strategies/weighted.js';
import { seededRandom } from '../../support/routing.js';

const target = (id: string, weight: number, pricing: Model['pricing_history'] = []): Eligible => ({
  provider: { id } as Provider,
  model: { model_id: `m-${id}`, pricing_history: pricing } as unknown as Model,
  modelId: `m-${id}`,
  weight,
});

const ctx = (random: () => number) => ({ random, now: Date.now() }) as unknown as StrategyContext;

describe('routing: weighted strategy', () => {
  it('draws the first target in proportion to the weights', async () => {
    const targets = [target('a', 70), target('b', 30)];
    const random = seededRandom(7);
    let a = 0;
    for (let i = 0; i < 10_000; i++) if ((await weighted(targets, ctx(random)))[0]!.provider.id === 'a') a++;
    expect(a / 10_000).toBeGreaterThan(0.68);
    expect(a / 10_000).toBeLessThan(0.72);
  });

  it('keeps every target as a fallback and zero weights last', async () => {
    const order = await weighted(
      [target('z', 0), target('a', 1), target('b', 1)],
      ctx(() => 0.99),
    );
    expect(order.map((t) => t.provider.id)).toEqual(['b', 'a', 'z']);
  });
});

describe('routing: cost_optimized unit price', () => {
  it('uses the price in force, and ranks unpriced models last', () => {
    const now = Date.parse('2026-11-26T12:00:00Z');
    const history = [
      { input_per_1m: 1, output_per_1m: 2, effective_from: '2026-01-01T00:00:00.000Z' },
      { input_per_1m: 5, output_per_1m: 5, effective_from: '2026-12-01T00:00:00.000Z' },
    ];
    expect(unitPrice(target('a', 1, history), now)).toBe(3);
    expect(unitPrice(target('a', 1, history), Date.parse('2026-12-02T00:00:00Z'))).toBe(10);
    expect(unitPrice(target('b', 1), now)).toBe(Number.POSITIVE_INFINITY);
    expect(
      unitPrice(
        target('c', 1, [{ per_character: 0.00003, effective_from: '2026-01-01T00:00:00.000Z' }]),
        now,
      ),
    ).toBe(0.00003);
  });
});
