import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditTable } from '../../lib/audit/verify-table.js';
import { writeAuditEvents } from '../../lib/audit/writer.js';
import type { Gateway } from '../../lib/runtime/gateway.js';
import { keys } from '../../lib/store/keys.js';
import type { Item } from '../../lib/store/table.js';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';
import { mintKey } from './access-fixtures.js';
import { canary, encodings } from './credentials-fixtures.js';

const run = promisify(execFile);
let gw: TestGateway;
let deps: Gateway;
const secrets: string[] = [];
const captured: DynamoDBRecord[] = [];

/** Every stored audit event, in chain order (raw items, as the verifier reads them). */
async function auditItems(): Promise<Item[]> {
  const head = await deps.table.get(keys.auditHead());
  const day = String(head?.first_day);
  const today = new Date(deps.now()).toISOString().slice(0, 10);
  const items: Item[] = [];
  for (const d of [...new Set([day, today])].sort())
    items.push(...(await deps.table.queryAll({ partition: keys.auditDay(d) })));
  return items;
}

const put = (item: Item) => deps.table.put(item);
const remove = (item: Item) => deps.table.delete({ pk: item.pk, sk: item.sk });

/** `npm run audit:verify` as a user runs it, attached to the running gateway's DynamoDB. */
async function verifyScript(): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts'], {
      env: { ...process.env, GATEWAY_RUNTIME: 'local', DATA_DIR: gw.runtime.dataDir, LOG_LEVEL: 'ERROR' },
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

beforeAll(async () => {
  gw = await startTestGateway({ HEALTH_SCHEDULE: 'off' });
  deps = gw.runtime.deps;
  gw.runtime.streams!.onRecord((record) => captured.push(record));
  const key = await mintKey(gw, { role: 'operator', name: 'audited key' });
  secrets.push(key.key);
  const rotated = await gw.call('POST', `/api/keys/${key.id}/rotate`);
  secrets.push(rotated.json.key);
  const provider = await gw.call('POST', '/api/providers', {
    body: providerBody('audit-chain', { provider_type: 'mock' }),
  });
  for (const value of [canary(), canary()]) secrets.push(value);
  const credential = await gw.call('POST', `/api/providers/${provider.json.id}/credentials`, {
    body: { credential_type: 'api_key', credential_value: secrets[2] },
  });
  await gw.call('POST', `/api/providers/credentials/${credential.json.id}/rotate`, {
    body: { credential_value: secrets[3] },
  });
  await gw.call('PATCH', `/api/providers/${provider.json.id}`, { body: { priority: 9 } });
  await gw.runtime.streams!.idle();
});
afterAll(async () => {
  await gw.stop();
});

describe('audit: secrets never enter an event', () => {
  it('holds no credential value nor API key secret, in any encoding, in stored events or the API', async () => {
    const stored = JSON.stringify(await auditItems());
    const listed = JSON.stringify((await gw.call('GET', '/api/audit?limit=100')).json);
    expect(JSON.parse(listed).data.length).toBeGreaterThanOrEqual(6);
    for (const secret of secrets) {
      for (const form of encodings(secret)) {
        expect(stored).not.toContain(form);
        expect(listed).not.toContain(form);
      }
    }
    for (const field of ['ciphertext', 'wrapped_key', 'secret_hashes', 'key_hint', '"hint"']) {
      expect(stored).not.toContain(field);
    }
  });
});

describe('audit: replaying the stream', () => {
  it('appends nothing when the same batch is delivered three more times', async () => {
    const before = await auditItems();
    const batch = captured.slice();
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await writeAuditEvents(deps, batch));
    const after = await auditItems();
    expect(after).toEqual(before);
    for (const outcome of outcomes) {
      expect(outcome.appended).toBe(0);
      expect(outcome.replayed).toBeGreaterThanOrEqual(6);
      expect(outcome.response.batchItemFailures).toEqual([]);
    }
    const sources = after.map((item) => item.source_id);
    expect(new Set(sources).size).toBe(sources.length);
  });

  it('appends a batch not seen before exactly once when it is delivered three times', async () => {
    const before = (await auditItems()).length;
    const fresh = captured.map((record, i) => ({ ...record, eventID: `replay-test-${i}` }));
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await writeAuditEvents(deps, fresh));
    const appended = outcomes[0]!.appended;
    expect(appended).toBeGreaterThanOrEqual(6);
    expect(outcomes.map((o) => [o.appended, o.replayed])).toEqual([
      [appended, 0],
      [0, appended],
      [0, appended],
    ]);
    expect((await auditItems()).length).toBe(before + appended);
    expect((await verifyAuditTable(deps)).ok).toBe(true);
  });

  it('keeps one gap-free chain when writers append concurrently', async () => {
    const before = (await auditItems()).length;
    const record = captured.find((r) => r.dynamodb?.Keys?.sk?.S === 'PROVIDER')!;
    const batches = Array.from({ length: 12 }, (_, i) => [{ ...record, eventID: `concurrent-${i}` }]);
    const outcomes = await Promise.all(batches.map((batch) => writeAuditEvents(deps, batch)));
    expect(outcomes.every((o) => o.appended === 1)).toBe(true);
    const after = await auditItems();
    expect(after.length).toBe(before + 12);
    expect(after.map((item) => Number(item.sequence))).toEqual(after.map((_, i) => i + 1));
    expect((await verifyAuditTable(deps)).ok).toBe(true);
  });
});

describe('audit: what the writer costs per event', () => {
  it('reads the head once per batch: five DynamoDB calls per event after the first', async () => {
    const fresh = captured.map((record, i) => ({ ...record, eventID: `cost-${i}` }));
    const operations: string[] = [];
    const stop = deps.table.observe((op) => operations.push(op));
    const outcome = await writeAuditEvents(deps, fresh);
    stop();
    expect(outcome.appended).toBeGreaterThanOrEqual(6);
    expect(operations).toHaveLength(5 * outcome.appended + 1);
    expect(operations.filter((op) => op === 'GetItem')).toHaveLength(outcome.appended + 1);
    expect((await verifyAuditTable(deps)).ok).toBe(true);
  });

  it('stays one gap-free chain when multi-record batches race (their head hints go stale)', async () => {
    const before = (await auditItems()).length;
    const record = captured.find((r) => r.dynamodb?.Keys?.sk?.S === 'PROVIDER')!;
    const batches = Array.from({ length: 4 }, (_, b) =>
      Array.from({ length: 5 }, (_, i) => ({ ...record, eventID: `race-${b}-${i}` })),
    );
    const outcomes = await Promise.all(batches.map((batch) => writeAuditEvents(deps, batch)));
    expect(outcomes.every((o) => o.appended === 5)).toBe(true);
    const after = await auditItems();
    expect(after.length).toBe(before + 20);
    expect(after.map((item) => Number(item.sequence))).toEqual(after.map((_, i) => i + 1));
    expect((await verifyAuditTable(deps)).ok).toBe(true);
  });
});

describe('audit: a writer that stops half-way', () => {
  it('leaves the event pending on the head; verify accepts it and the next append settles it', async () => {
    const items = await auditItems();
    const last = items.at(-1)!;
    const { eventOf } = await import('../../lib/audit/hash.js');
    // The state a crash after the head update leaves: head holds the event, no item, no marker.
    await remove(last);
    await remove({ ...keys.auditSource(String(last.source_id)) });
    const head = (await deps.table.get(keys.auditHead()))!;
    await put({ ...head, pending: eventOf(last) });
    expect((await verifyAuditTable(deps)).ok).toBe(true);
    const record = captured.find((r) => r.dynamodb?.Keys?.sk?.S === 'PROVIDER')!;
    const outcome = await writeAuditEvents(deps, [{ ...record, eventID: 'after-crash' }]);
    expect(outcome.appended).toBe(1);
    const after = await auditItems();
    expect(after.at(-2)).toEqual(last);
    expect((await deps.table.get(keys.auditHead()))!.pending).toBeUndefined();
    expect((await verifyAuditTable(deps)).ok).toBe(true);
  });
});

describe('audit: npm run audit:verify', () => {
  it('reports OK on the intact chain', async () => {
    expect((await verifyAuditTable(deps)).ok).toBe(true);
    const script = await verifyScript();
    expect(script.stdout).toMatch(/^OK: \d+ checked/);
    expect(script.code).toBe(0);
  });

  it('detects an edited event, then OK again once restored', async () => {
    const items = await auditItems();
    const victim = items[2]!;
    await put({ ...victim, actor_key_id: 'someone-else' });
    const script = await verifyScript();
    expect(script.code).toBe(1);
    expect(script.stdout).toContain(`edited at ${victim.sequence}`);
    await put(victim);
    expect((await verifyAuditTable(deps)).ok).toBe(true);
  });

  it('detects an edit that recomputes the hash, by the broken link to the next event', async () => {
    const items = await auditItems();
    const victim = items[1]!;
    const { hashOf } = await import('../../lib/audit/hash.js');
    const forged = { ...victim, action: 'provider.noop' };
    await put({ ...forged, hash: hashOf(forged) });
    const report = await verifyAuditTable(deps);
    expect(report.problems).toContainEqual(
      expect.objectContaining({ kind: 'edited', sequence: Number(victim.sequence) + 1 }),
    );
    await put(victim);
  });

  it('detects a deleted event in the middle and at the end', async () => {
    const items = await auditItems();
    const middle = items[3]!;
    await remove(middle);
    const script = await verifyScript();
    expect(script.code).toBe(1);
    expect(script.stdout).toContain(`missing at ${middle.sequence}`);
    await put(middle);
    const last = items.at(-1)!;
    await remove(last);
    const report = await verifyAuditTable(deps);
    expect(report.problems).toContainEqual(
      expect.objectContaining({ kind: 'missing', sequence: Number(last.sequence) }),
    );
    await put(last);
    expect((await verifyAuditTable(deps)).ok).toBe(true);
  });

  it('detects two events swapped in place', async () => {
    const items = await auditItems();
    const [a, b] = [items[1]!, items[2]!];
    await put({ ...b, pk: a.pk, sk: a.sk });
    await put({ ...a, pk: b.pk, sk: b.sk });
    const report = await verifyAuditTable(deps);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.kind)).toContain('reordered');
    await put(a);
    await put(b);
    expect((await verifyAuditTable(deps)).ok).toBe(true);
  });
});
