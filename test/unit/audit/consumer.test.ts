import { describe, expect, it } from 'vitest';
import { ruleOf } from '../../../lib/audit/entities.js';
import { STREAM_CONSUMERS } from '../../../lib/streams/consumers.js';
import { matchesAny } from '../../../local/change-stream/filter.js';

const consumer = STREAM_CONSUMERS.find((c) => c.fn === 'streams/audit-writer')!;
const recordOf = (pk: string, sk: string) => ({
  eventName: 'MODIFY',
  dynamodb: { Keys: { pk: { S: pk }, sk: { S: sk } } },
});

const AUDITED = [
  ['PROVIDER#prov_1', 'PROVIDER'],
  ['PROVIDER#prov_1', 'MODEL#gpt-4o'],
  ['CREDENTIAL#cred_1', 'CREDENTIAL'],
  ['RULE#rule_1', 'RULE'],
  ['QUOTA#quota_1', 'QUOTA'],
  ['APIKEY_RECORD#key_1', 'RECORD'],
  ['INCIDENT#inc_1', 'INCIDENT'],
];
const NOT_AUDITED = [
  ['USAGE#prov_1', 'H#2026-11-26T12#m=x|k=y|s=llm#00'],
  ['PROVIDER#prov_1', 'CIRCUIT'],
  ['PROVIDER#prov_1', 'HEALTH_STATE'],
  ['PROVIDER#prov_1', 'RULE_REF#rule_1'],
  ['RULE#rule_1', 'RR_COUNTER'],
  ['QUOTA#quota_1', 'STATE#2026-11'],
  ['APIKEY#0123abcd', 'APIKEY'],
  ['PROVIDER_NAME#openai', 'NAME'],
  ['AUDIT#2026-11-26', '000000000001'],
  ['AUDIT_HEAD', 'AUDIT_HEAD'],
];

describe('the audit writer as a stream consumer', () => {
  it('is listed, in one lane, retried for long, with partial batch responses', () => {
    expect(consumer).toMatchObject({ parallelizationFactor: 1, reportBatchItemFailures: true });
    expect(consumer.maxRetryAttempts).toBeGreaterThanOrEqual(1_000);
  });

  it('receives every audited item and the classification agrees', () => {
    for (const [pk, sk] of AUDITED) {
      expect(matchesAny(consumer.filterPatterns, recordOf(pk!, sk!)), `${pk} ${sk}`).toBe(true);
      expect(ruleOf(pk!, sk!), `${pk} ${sk}`).toBeDefined();
    }
  });

  it('classifies nothing else as audited (the filter may let some through; the writer ignores them)', () => {
    for (const [pk, sk] of NOT_AUDITED) expect(ruleOf(pk!, sk!), `${pk} ${sk}`).toBeUndefined();
    const delivered = NOT_AUDITED.filter(([pk, sk]) =>
      matchesAny(consumer.filterPatterns, recordOf(pk!, sk!)),
    );
    expect(delivered).toEqual([]);
  });
});
