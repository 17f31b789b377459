import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Journal } from '../../../lib/store/journal.js';

const dirs: string[] = [];
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  dirs.push(dir);
  return join(dir, 'journal');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const record = (id: string) => ({ kind: 'usage.event', id, body: { n: id } });

/** Spies on every FileHandle's `write` and `datasync` (they share one prototype): the journal's disk calls. */
async function diskSpies(dir: string) {
  const handle = await open(join(dirname(dir), 'probe'), 'w');
  const proto = Object.getPrototypeOf(handle) as Pick<FileHandle, 'write' | 'datasync'>;
  await handle.close();
  const writes = vi.spyOn(proto, 'write');
  const syncs = vi.spyOn(proto, 'datasync');
  return {
    writes,
    syncs,
    restore() {
      writes.mockRestore();
      syncs.mockRestore();
    },
  };
}

describe('journal: what a killed run leaves is handed back, once', () => {
  it('returns the unacknowledged records of an earlier run, in order, and none once retired', async () => {
    const dir = folder();
    const first = await Journal.open(dir);
    await first.append([record('a'), record('b')]);
    await first.append([record('c')], { sync: false });
    first.ack(['b']);
    await first.append([]); // the ack is written with the next group
    // No close: the process was killed.

    const second = await Journal.open(dir);
    expect(second.recovered.map((r) => r.id)).toEqual(['a', 'c']);
    await second.retireRecovered();
    await second.close();

    const third = await Journal.open(dir);
    expect(third.recovered).toEqual([]);
    await third.close();
  });

  it('skips a torn last line (a kill inside a write): nothing acknowledged as durable is lost', async () => {
    const dir = folder();
    const first = await Journal.open(dir);
    await first.append([record('whole')]);
    const [segment] = readdirSync(dir);
    appendFileSync(join(dir, segment!), '{"t":"r","r":{"kind":"usage.ev');

    const second = await Journal.open(dir);
    expect(second.recovered.map((r) => r.id)).toEqual(['whole']);
    await second.close();
  });

  it('rotates segments past their size, deletes those fully acknowledged, and keeps the others', async () => {
    const dir = folder();
    const journal = await Journal.open(dir, { maxSegmentBytes: 200 });
    const ids = Array.from({ length: 20 }, (_, i) => `r${i}`);
    for (const id of ids) await journal.append([record(id)]);
    expect(readdirSync(dir).length).toBeGreaterThan(2);
    // Everything but r3 (in the first segment) is applied.
    journal.ack(ids.filter((id) => id !== 'r3'));
    await journal.close();
    // The first segment stays for r3, and every later one with it (their acks name its records).
    expect(readdirSync(dir).length).toBeGreaterThan(1);

    const reopened = await Journal.open(dir);
    expect(reopened.recovered.map((r) => r.id)).toEqual(['r3']);
    await reopened.retireRecovered();
    await reopened.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('deletes every segment once all is acknowledged', async () => {
    const dir = folder();
    const journal = await Journal.open(dir, { maxSegmentBytes: 200 });
    const ids = Array.from({ length: 20 }, (_, i) => `r${i}`);
    for (const id of ids) await journal.append([record(id)]);
    journal.ack(ids);
    await journal.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('counts an acknowledgement written before its record', async () => {
    const dir = folder();
    const first = await Journal.open(dir);
    first.ack(['early']);
    await first.append([record('early'), record('kept')]);
    // killed
    const second = await Journal.open(dir);
    expect(second.recovered.map((r) => r.id)).toEqual(['kept']);
    await second.close();
  });

  it('refuses appends once closed', async () => {
    const journal = await Journal.open(folder());
    await journal.close();
    await expect(journal.append([record('late')])).rejects.toThrow(/closed/);
  });

  it('gives appends of one turn one write and one sync, and writes an acknowledgement with the next group', async () => {
    const dir = folder();
    const journal = await Journal.open(dir);
    // Every FileHandle shares this prototype: count the journal's writes and syncs.
    const { writes, syncs, restore } = await diskSpies(dir);
    try {
      // Ten calls ending in the same turn, as under load.
      await Promise.all(Array.from({ length: 10 }, (_, i) => journal.append([record(`t${i}`)])));
      expect(writes).toHaveBeenCalledTimes(1);
      expect(syncs).toHaveBeenCalledTimes(1);

      journal.ack(['t0', 't1']);
      await new Promise((resolve) => setImmediate(resolve));
      expect(writes).toHaveBeenCalledTimes(1); // the ack waits for a group to ride with
      await journal.append([record('next')], { sync: false });
      expect(writes).toHaveBeenCalledTimes(2);
      expect(syncs).toHaveBeenCalledTimes(1);
    } finally {
      restore();
    }
    // killed: the ack rode with the last group
    const second = await Journal.open(dir);
    expect(second.recovered.map((r) => r.id)).toEqual([
      ...Array.from({ length: 8 }, (_, i) => `t${i + 2}`),
      'next',
    ]);
    await second.close();
    await journal.close();
  });

  it('writes a lone acknowledgement on its own once no append comes, and everything at close', async () => {
    const dir = folder();
    const journal = await Journal.open(dir);
    await journal.append([record('a'), record('b')]);
    journal.ack(['a']);
    const acked = () =>
      readdirSync(dir).some((f) => readFileSync(join(dir, f), 'utf8').includes('{"t":"a","ids":["a"]}'));
    expect(acked()).toBe(false);
    await vi.waitFor(() => expect(acked()).toBe(true), { timeout: 2000 });
    journal.ack(['b']);
    await journal.close();
    const reopened = await Journal.open(dir);
    expect(reopened.recovered).toEqual([]);
    await reopened.close();
  });

  it('with syncDelayMs, answers once written and syncs every write of the window once, within the delay', async () => {
    const dir = folder();
    const journal = await Journal.open(dir, { syncDelayMs: 30 });
    const { writes, syncs, restore } = await diskSpies(dir);
    try {
      const started = performance.now();
      await journal.append([record('a')]);
      // Written (a kill cannot undo it), not yet synced: the answer need not wait for the disk.
      expect(writes).toHaveBeenCalledTimes(1);
      expect(syncs).not.toHaveBeenCalled();
      await journal.append([record('b')]);
      await vi.waitFor(() => expect(syncs).toHaveBeenCalledTimes(1), { timeout: 1000, interval: 2 });
      // One sync for both writes, no earlier than the delay (the bound a power cut can take).
      expect(performance.now() - started).toBeGreaterThanOrEqual(25);
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(syncs).toHaveBeenCalledTimes(1);
      // Killed now: both records are there for replay.
      const second = await Journal.open(dir);
      expect(second.recovered.map((r) => r.id)).toEqual(['a', 'b']);
      await second.close();
    } finally {
      restore();
    }
    await journal.close();
  });

  it('with syncDelayMs, close syncs what is written before it returns', async () => {
    const dir = folder();
    const journal = await Journal.open(dir, { syncDelayMs: 10_000 });
    await journal.append([record('a')]);
    const { syncs, restore } = await diskSpies(dir);
    try {
      await journal.close();
      expect(syncs).toHaveBeenCalledTimes(1);
    } finally {
      restore();
    }
  });
});
