import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { draftOf, SYSTEM_ACTOR, TTL_ACTOR } from '../../../lib/audit/event.js';

type Image = Record<string, AttributeValue>;
const s = (S: string): AttributeValue => ({ S });
const n = (value: number): AttributeValue => ({ N: String(value) });
const actor = (id: string, request: string): Image => ({
  last_actor: s(id),
  last_request_id: s(request),
  last_source_ip: s('203.0.113.9'),
});

function record(
  eventName: DynamoDBRecord['eventName'],
  keys: Image,
  images: { old?: Image; new?: Image },
): DynamoDBRecord {
  return {
    eventID: 'e1',
    eventName,
    dynamodb: {
      Keys: keys,
      ApproximateCreationDateTime: 1_795_000_000,
      SequenceNumber: '000000000000000000001',
      ...(images.old ? { OldImage: { ...keys, ...images.old } } : {}),
      ...(images.new ? { NewImage: { ...keys, ...images.new } } : {}),
    },
  };
}

const credentialKeys = { pk: s('CREDENTIAL#cred_1'), sk: s('CREDENTIAL') };
const envelope = (keyId: string): AttributeValue => ({
  M: {
    alg: s('A256GCM'),
    key_id: s(keyId),
    wrapped_key: s('WRAPPED'),
    iv: s('IV'),
    ciphertext: s('CIPHER'),
    tag: s('TAG'),
  },
});
const versions = (keyId: string): AttributeValue => ({
  L: [
    {
      M: {
        key_version: n(1),
        status: s('active'),
        created_at: s('2026-11-26T00:00:00.000Z'),
        hint: s('abcd'),
        secret: envelope(keyId),
      },
    },
  ],
});

describe('audit drafts from stream records', () => {
  it('copies only allow-listed credential fields: no envelope, no hint, but the master key id', () => {
    const draft = draftOf(
      record('INSERT', credentialKeys, {
        new: {
          id: s('cred_1'),
          provider_id: s('prov_1'),
          name: s('main'),
          versions: versions('local-1'),
          ...actor('key_a', 'req-1'),
        },
      }),
      0,
    )!;
    expect(draft).toMatchObject({
      action: 'credential.created',
      actor_key_id: 'key_a',
      request_id: 'req-1',
      target_id: 'cred_1',
      provider_id: 'prov_1',
    });
    const text = JSON.stringify(draft);
    for (const leaked of ['WRAPPED', 'CIPHER', 'abcd', 'ciphertext', 'wrapped_key'])
      expect(text).not.toContain(leaked);
    expect(draft.changes.versions!.after).toEqual([
      {
        key_version: 1,
        status: 'active',
        created_at: '2026-11-26T00:00:00.000Z',
        destroy_after: null,
        master_key_id: 'local-1',
      },
    ]);
  });

  it('shows a re-wrap under a new master key as a credential update', () => {
    const draft = draftOf(
      record('MODIFY', credentialKeys, {
        old: { versions: versions('local-1'), ...actor('key_a', 'r1') },
        new: { versions: versions('local-2'), ...actor('key_b', 'r2') },
      }),
      0,
    )!;
    expect(draft.action).toBe('credential.updated');
    expect(Object.keys(draft.changes)).toEqual(['versions']);
  });

  it('ignores updates of nothing audited: usage touches, health status, delete stamps', () => {
    const keys = { pk: s('PROVIDER#prov_1'), sk: s('PROVIDER') };
    const base = { id: s('prov_1'), name: s('p'), priority: n(1) };
    const changes: Image[] = [
      { health_status: s('down') },
      { last_used_at: s('x') },
      { delete_request_id: s('r9'), ...actor('k', 'r9') },
    ];
    for (const change of changes) {
      expect(draftOf(record('MODIFY', keys, { old: base, new: { ...base, ...change } }), 0)).toBeUndefined();
    }
  });

  it('ignores items that are not audited: counters, circuits, name claims, API-key secret items, quota states', () => {
    const keys: Image[] = [
      { pk: s('USAGE#prov_1'), sk: s('H#2026-11-26T12#m=x|k=y|s=llm#00') },
      { pk: s('PROVIDER#prov_1'), sk: s('CIRCUIT') },
      { pk: s('PROVIDER_NAME#p'), sk: s('NAME') },
      { pk: s('APIKEY#abcdef'), sk: s('APIKEY') },
      { pk: s('QUOTA#quota_1'), sk: s('STATE#2026-11') },
      { pk: s('AUDIT#2026-11-26'), sk: s('000000000001') },
    ];
    for (const k of keys) expect(draftOf(record('INSERT', k, { new: { id: s('x') } }), 0)).toBeUndefined();
  });

  it('attributes a delete to the request that stamped it, TTL deletes to the system, unstamped ones to nobody', () => {
    const keys = { pk: s('QUOTA#quota_1'), sk: s('QUOTA') };
    const stamped = {
      id: s('quota_1'),
      limit_value: n(5),
      delete_request_id: s('req-del'),
      ...actor('key_d', 'req-del'),
    };
    expect(draftOf(record('REMOVE', keys, { old: stamped }), 0)).toMatchObject({
      action: 'quota.deleted',
      actor_key_id: 'key_d',
      request_id: 'req-del',
      changes: { limit_value: { before: 5, after: null } },
    });
    const stale = { ...stamped, ...actor('key_e', 'req-later') };
    expect(draftOf(record('REMOVE', keys, { old: stale }), 0)).toMatchObject({
      actor_key_id: SYSTEM_ACTOR,
      request_id: null,
    });
    const ttl = {
      ...record('REMOVE', keys, { old: stamped }),
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
    };
    expect(draftOf(ttl, 0)).toMatchObject({ action: 'quota.expired', actor_key_id: TTL_ACTOR });
  });

  it('names API-key revocations and rotations, and never copies hashes or hints', () => {
    const keys = { pk: s('APIKEY_RECORD#key_1'), sk: s('RECORD') };
    const before = {
      id: s('key_1'),
      status: s('active'),
      secret_hashes: { SS: ['h1'] },
      key_hint: s('gk_…abcd'),
    };
    const revoked = draftOf(
      record('MODIFY', keys, { old: before, new: { ...before, status: s('revoked'), ...actor('k', 'r') } }),
      0,
    )!;
    expect(revoked.action).toBe('api_key.revoked');
    const rotated = draftOf(
      record('MODIFY', keys, {
        old: before,
        new: { ...before, secret_hashes: { SS: ['h2'] }, last_rotated_at: s('t'), ...actor('k', 'r') },
      }),
      0,
    )!;
    expect(rotated.action).toBe('api_key.rotated');
    expect(JSON.stringify([revoked, rotated])).not.toMatch(/h1|h2|abcd/);
  });

  it('records a change whose image cannot be read, instead of dropping it', () => {
    const keys = { pk: s('RULE#rule_1'), sk: s('RULE') };
    const draft = draftOf(
      record('MODIFY', keys, { new: { bad: { B: 'AA==' } as unknown as AttributeValue } }),
      0,
    );
    expect(draft).toMatchObject({ action: 'routing_rule.unreadable', target_id: 'rule_1' });
  });
});
