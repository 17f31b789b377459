import { describe, expect, it } from 'vitest';
import { keys, padNumber } from '../../../lib/store/keys.js';

describe('keys: the single key builder', () => {
  it('gives every entity a distinct key for the same id', () => {
    const id = 'x_01';
    const built = [
      keys.provider(id),
      keys.providerName(id),
      keys.model(id, 'm'),
      keys.credential(id),
      keys.routingRule(id),
      keys.routingCounter(id),
      keys.circuit(id),
      keys.circuit(id, 'm'),
      keys.quota(id),
      keys.quotaState(id, '2026-11'),
      keys.quotaBudget(id, '2026-11'),
      keys.incident(id),
      keys.openIncidentLock(id),
      keys.apiKeyByHash(id),
      keys.providerRuleRef(id, 'r'),
      keys.healthCheck(id, '2026-11-26T00:00:00.000Z', 'c'),
      keys.auditEvent('2026-11-26', 1),
      keys.rateWindow(id, '2026-11-26T12:00', 0),
    ].map((k) => `${k.pk}|${k.sk}`);
    expect(new Set(built).size).toBe(built.length);
  });

  it('starts the partition key of API key records, and of nothing else, with their prefix', () => {
    const id = 'key_01';
    expect(keys.apiKeyRecord(id).pk.startsWith(keys.apiKeyRecordPrefix())).toBe(true);
    const others = [
      keys.apiKeyByHash(id),
      keys.provider(id),
      keys.providerName(id),
      keys.credential(id),
      keys.routingRule(id),
      keys.quota(id),
      keys.incident(id),
      keys.auditEvent('2026-11-26', 1),
    ];
    for (const other of others) expect(other.pk.startsWith(keys.apiKeyRecordPrefix()), other.pk).toBe(false);
  });

  it('keeps a provider and its models in one partition, models under one prefix', () => {
    expect(keys.model('p1', 'gpt-4o').pk).toBe(keys.provider('p1').pk);
    expect(keys.model('p1', 'gpt-4o').sk.startsWith(keys.modelsOfProviderPrefix())).toBe(true);
    expect(keys.provider('p1').sk.startsWith(keys.modelsOfProviderPrefix())).toBe(false);
    expect(keys.circuit('p1', 'gpt-4o').sk.startsWith(keys.modelsOfProviderPrefix())).toBe(false);
  });

  it('folds provider names to lower case so uniqueness ignores case', () => {
    expect(keys.providerName('OpenAI Main')).toEqual(keys.providerName('openai main'));
  });

  it('sorts padded numbers and usage buckets in time order', () => {
    expect(padNumber(7)).toBe('000007');
    expect([padNumber(10), padNumber(9)].sort()).toEqual([padNumber(9), padNumber(10)]);
    const early = keys.usageCounter({
      providerId: 'p',
      granularity: 'H',
      bucket: '2026-11-26T09',
      dimensions: 'm',
      shard: 0,
    });
    const late = keys.usageCounter({
      providerId: 'p',
      granularity: 'H',
      bucket: '2026-11-26T10',
      dimensions: 'm',
      shard: 0,
    });
    expect(early.sk < late.sk).toBe(true);
    expect(early.sk.startsWith(keys.usageRangeOfProvider('p', 'H').prefix)).toBe(true);
  });
});
