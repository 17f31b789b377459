import { describe, expect, it } from 'vitest';
import { keys } from '../../../lib/store/keys.js';

describe('keys: routing items', () => {
  it('keeps circuits, latency figures and rule references under the provider, apart from models', () => {
    const built = [
      keys.model('p1', 'gpt-4o'),
      keys.circuit('p1'),
      keys.circuit('p1', 'gpt-4o'),
      keys.latency('p1', 'gpt-4o'),
      keys.providerRuleRef('p1', 'rule_1'),
      keys.providerHealthState('p1'),
    ];
    expect(new Set(built.map((k) => k.pk))).toEqual(new Set([keys.provider('p1').pk]));
    expect(new Set(built.map((k) => k.sk)).size).toBe(built.length);
    expect(keys.latency('p1', 'gpt-4o').sk.startsWith(keys.latencyOfProviderPrefix())).toBe(true);
    expect(keys.circuit('p1', 'gpt-4o').sk.startsWith(keys.latencyOfProviderPrefix())).toBe(false);
    expect(keys.model('p1', 'x').sk.startsWith(keys.latencyOfProviderPrefix())).toBe(false);
  });

  it('indexes open circuits in one sparse partition, provider and pair apart', () => {
    expect(keys.openCircuitIndex('p1').gsi1pk).toBe(keys.openCircuitsPartition());
    expect(keys.openCircuitIndex('p1').gsi1sk).not.toBe(keys.openCircuitIndex('p1', 'm').gsi1sk);
  });

  it('names one rate-limit item per scope, minute and shard', () => {
    const a = keys.rateWindow('global', '2026-11-26T12:00', 0);
    expect(a).toEqual({ pk: 'RATE#global#2026-11-26T12:00#00', sk: 'RATE' });
    expect(keys.rateWindow('global', '2026-11-26T12:00', 1).pk).not.toBe(a.pk);
    expect(keys.rateWindow('provider:p1', '2026-11-26T12:00', 0).pk).not.toBe(a.pk);
  });
});
