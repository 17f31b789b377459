import { describe, expect, it } from 'vitest';
import { STREAM_CONSUMERS } from '../../lib/streams/consumers.js';
import { matchesAny } from '../../local/change-stream/filter.js';

const record = (eventName: string, sk: string) => ({
  eventName,
  dynamodb: { Keys: { pk: { S: 'USAGE#prov_a' }, sk: { S: sk } } },
});

describe('local change stream: Lambda event filtering', () => {
  const enforcer = STREAM_CONSUMERS.find((c) => c.fn === 'streams/quota-enforcer')!;

  it('gives the quota enforcer hourly counter inserts and updates only', () => {
    expect(matchesAny(enforcer.filterPatterns, record('INSERT', 'H#2031-01-01T00#m=a|k=b|s=llm#00'))).toBe(
      true,
    );
    expect(matchesAny(enforcer.filterPatterns, record('MODIFY', 'H#2031-01-01T00#m=a|k=b|s=llm#00'))).toBe(
      true,
    );
    expect(matchesAny(enforcer.filterPatterns, record('REMOVE', 'H#2031-01-01T00#m=a|k=b|s=llm#00'))).toBe(
      false,
    );
    expect(matchesAny(enforcer.filterPatterns, record('MODIFY', 'D#2031-01-01#m=a|k=b|s=llm'))).toBe(false);
  });

  it('supports exists, anything-but and OR across patterns; unknown operators never match', () => {
    const patterns = [
      { eventName: [{ 'anything-but': ['REMOVE'] }] },
      { userIdentity: { type: ['Service'] } },
    ];
    expect(matchesAny(patterns, { eventName: 'INSERT' })).toBe(true);
    expect(matchesAny(patterns, { eventName: 'REMOVE' })).toBe(false);
    expect(matchesAny(patterns, { eventName: 'REMOVE', userIdentity: { type: 'Service' } })).toBe(true);
    expect(matchesAny([{ userIdentity: [{ exists: false }] }], { eventName: 'REMOVE' })).toBe(true);
    expect(matchesAny([{ eventName: [{ suffix: 'T' }] }], { eventName: 'INSERT' })).toBe(false);
    expect(matchesAny([], { eventName: 'INSERT' })).toBe(true);
  });
});
