import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** One record of the journal: what must survive a kill until it is applied (then acknowledged). */
export interface JournalRecord {
  /** What applies it on replay (`usage.event`, `usage.batch`, `quota.settle`, ...). */
  kind: string;
  /** Unique in the journal: an acknowledgement names it. */
  id: string;
  body: Record<string, unknown>;
}

/** Options of {@link Journal.open}. */
export interface JournalOptions {
  /** A segment past this many bytes is closed and a new one started (default 8 MiB). */
  maxSegmentBytes?: number;
  /** `fdatasync` each group of appends (default true). Off, a record survives a process kill, not a power cut. */
  fsync?: boolean;
  /**
   * 0 (default): an append resolves once written and synced. Above 0: once written (which a kill
   * of the process cannot undo), and the sync follows within this many ms, shared by every write
   * made meanwhile; a power cut may then lose what was written in the last `syncDelayMs` (and
   * the sync's own time).
   */
  syncDelayMs?: number;
  /** Told when a deferred sync fails (the next write's sync tries again). */
  onSyncError?: (error: unknown) => void;
}

type ResolvedOptions = Required<Omit<JournalOptions, 'onSyncError'>> & Pick<JournalOptions, 'onSyncError'>;

type Line = { t: 'r'; r: JournalRecord } | { t: 'a'; ids: string[] };

interface Segment {
  name: string;
  /** Ids appended to this segment and not acknowledged yet. */
  open: Set<string>;
}

interface Waiter {
  /** Waits for the `fdatasync`, not only the `write`. */
  sync: boolean;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * How long acknowledgements alone wait for a group of appends to ride with (ms). An ack only lets
 * replay skip work that is idempotent anyway, so it need not cost a write of its own under load.
 */
const ACK_LINGER_MS = 200;

/** Segment file names sort by creation: time, then process, then a per-process number. */
const segmentName = (n: number) =>
  `seg-${String(Date.now()).padStart(15, '0')}-${process.pid}-${String(n).padStart(6, '0')}.ndjson`;

function parseLines(text: string): Line[] {
  const lines: Line[] = [];
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    try {
      lines.push(JSON.parse(raw) as Line);
    } catch {
      // A torn last line (the process died inside a write): its records were never acknowledged
      // as durable to anyone, so skipping it loses nothing that was promised.
    }
  }
  return lines;
}

/**
 * An append-only journal of newline-delimited JSON in a folder (the local runtime's
 * `DATA_DIR/journal/`): records are made durable in groups (one `write` and one `fdatasync` for
 * every append made in the same turn of the event loop, or while the previous group was being
 * written), acknowledged once applied (acknowledgements ride with the next group), and
 * the unacknowledged records of earlier runs are handed back at open for replay.
 *
 * Segments: each run writes its own; a segment past `maxSegmentBytes` is closed, and deleted once
 * all its records and those of every older segment are acknowledged; the segments of earlier runs are deleted by
 * {@link retireRecovered} once their records are applied. Replay must be idempotent: a record may
 * have been applied before the kill that kept its acknowledgement from disk.
 *
 * Failure modes: `append` rejects when the file cannot be written or synced (disk full, folder
 * removed); the records of that group are not durable and the caller must not promise them.
 */
export class Journal {
  readonly #dir: string;
  readonly #options: ResolvedOptions;
  readonly #recoveredFiles: string[];
  readonly #segments = new Map<string, Segment>();
  readonly #segmentOf = new Map<string, Segment>();
  /** Ids acknowledged before their record was written (booked as done when it is). */
  readonly #ackedEarly = new Set<string>();
  #current!: Segment;
  #file!: FileHandle;
  #bytes = 0;
  #count = 0;
  /** Lines to write, with the ids each adds or acknowledges (booked to a segment when written). */
  #pending: Array<{ text: string; adds?: string[]; acks?: readonly string[] }> = [];
  #waiters: Waiter[] = [];
  #flushing: Promise<void> | undefined;
  /** The next group's start, deferred one turn of the event loop so appends of that turn join it. */
  #starting: NodeJS.Immediate | undefined;
  /** Writes lingering acknowledgements when no append came to carry them. */
  #ackTimer: NodeJS.Timeout | undefined;
  /** Deferred syncs (`syncDelayMs` > 0): written and not yet synced, the sync's timer, the sync running. */
  #unsynced = false;
  #syncTimer: NodeJS.Timeout | undefined;
  #syncing: Promise<void> | undefined;
  #closed = false;
  /** Records of earlier runs that were never acknowledged, in append order. */
  readonly recovered: JournalRecord[];

  private constructor(dir: string, options: ResolvedOptions, files: string[], recovered: JournalRecord[]) {
    this.#dir = dir;
    this.#options = options;
    this.#recoveredFiles = files;
    this.recovered = recovered;
  }

  /** Opens (creating, 0700) the journal folder, reads what earlier runs left, and starts a segment. */
  static async open(dir: string, options: JournalOptions = {}): Promise<Journal> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const files = (await readdir(dir)).filter((f) => f.startsWith('seg-') && f.endsWith('.ndjson')).sort();
    const records = new Map<string, JournalRecord>();
    // An acknowledgement counts wherever it stands, even before its record (they race in a group).
    const acked = new Set<string>();
    for (const file of files) {
      for (const line of parseLines(await readFile(join(dir, file), 'utf8'))) {
        if (line.t === 'r') {
          if (!acked.has(line.r.id)) records.set(line.r.id, line.r);
        } else {
          for (const id of line.ids) {
            acked.add(id);
            records.delete(id);
          }
        }
      }
    }
    const journal = new Journal(
      dir,
      {
        maxSegmentBytes: options.maxSegmentBytes ?? 8 * 1024 * 1024,
        fsync: options.fsync ?? true,
        syncDelayMs: options.syncDelayMs ?? 0,
        onSyncError: options.onSyncError,
      },
      files,
      [...records.values()],
    );
    await journal.#startSegment();
    return journal;
  }

  async #startSegment(): Promise<void> {
    const name = segmentName(this.#count++);
    const previous = this.#file;
    // A segment left behind is synced first: its deferred sync would otherwise go to the new file.
    if (previous) await this.#syncDeferred();
    this.#file = await open(join(this.#dir, name), 'a', 0o600);
    this.#bytes = 0;
    const last = this.#current;
    this.#current = { name, open: new Set() };
    this.#segments.set(name, this.#current);
    if (previous) await previous.close();
    if (last) await this.#dropDone();
  }

  /**
   * Deletes the oldest segments while every record in them is acknowledged. Oldest first only: a
   * segment's acknowledgements can name records of older segments, so deleting a newer segment
   * while an older one stays would bring those records back at the next open.
   */
  async #dropDone(): Promise<void> {
    // Until the earlier runs' segments are retired, this run's acknowledgements of their records matter.
    if (this.#recoveredFiles.length > 0) return;
    for (const segment of [...this.#segments.values()]) {
      if (segment === this.#current || segment.open.size > 0) return;
      this.#segments.delete(segment.name);
      await unlink(join(this.#dir, segment.name)).catch(() => undefined);
    }
  }

  /**
   * Resolves once `records` are written and synced with their group (`sync: false`: once written,
   * which a kill of the process cannot undo; the sync follows with a later group); rejects if they
   * are not.
   */
  append(records: readonly JournalRecord[], options: { sync?: boolean } = {}): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('journal is closed'));
    for (const r of records)
      this.#pending.push({ text: JSON.stringify({ t: 'r', r } satisfies Line), adds: [r.id] });
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ sync: options.sync ?? true, resolve, reject });
      // Group commit: appends made while a group is written go in the next one (the drain loops);
      // otherwise the group starts after this turn, so every append of the turn shares its write and sync.
      if (!this.#flushing) this.#starting ??= setImmediate(() => this.#kick(false));
    });
  }

  /**
   * Marks records applied: replay skips them. Written with the next group of appends, or alone
   * after {@link ACK_LINGER_MS} when none comes (not waited for; `close` writes what is left).
   * A kill before it is written only makes replay re-apply idempotent records.
   */
  ack(ids: readonly string[]): void {
    if (this.#closed || ids.length === 0) return;
    this.#pending.push({ text: JSON.stringify({ t: 'a', ids: [...ids] } satisfies Line), acks: ids });
    this.#lingerAcks();
  }

  #lingerAcks(): void {
    if (this.#flushing || this.#starting || this.#ackTimer) return;
    this.#ackTimer = setTimeout(() => this.#kick(true), ACK_LINGER_MS);
    this.#ackTimer.unref();
  }

  /** Starts the drain; `everything`: acknowledgements alone are written too (else they wait for appends). */
  #kick(everything: boolean): Promise<void> {
    if (this.#starting) clearImmediate(this.#starting);
    if (this.#ackTimer) clearTimeout(this.#ackTimer);
    this.#starting = undefined;
    this.#ackTimer = undefined;
    this.#flushing ??= this.#drain(everything).finally(() => {
      this.#flushing = undefined;
      if (this.#waiters.length > 0) this.#kick(false);
      else if (this.#pending.length > 0) this.#lingerAcks();
    });
    return this.#flushing;
  }

  async #drain(everything: boolean): Promise<void> {
    while (this.#waiters.length > 0 || (everything && this.#pending.length > 0)) {
      const lines = this.#pending;
      const waiters = this.#waiters;
      this.#pending = [];
      this.#waiters = [];
      // Booked to the segment they are written to, in order (an ack may follow its record here).
      for (const line of lines) {
        for (const id of line.adds ?? []) {
          if (this.#ackedEarly.delete(id)) continue;
          this.#current.open.add(id);
          this.#segmentOf.set(id, this.#current);
        }
        for (const id of line.acks ?? []) {
          const segment = this.#segmentOf.get(id);
          if (!segment) this.#ackedEarly.add(id);
          segment?.open.delete(id);
          this.#segmentOf.delete(id);
        }
      }
      try {
        if (lines.length > 0) {
          const data = `${lines.map((l) => l.text).join('\n')}\n`;
          await this.#file.write(data);
          this.#bytes += Buffer.byteLength(data);
        }
        if (this.#options.fsync && this.#options.syncDelayMs > 0 && lines.length > 0) this.#deferSync();
        else if (this.#options.fsync && waiters.some((w) => w.sync)) await this.#file.datasync();
        for (const w of waiters) w.resolve();
      } catch (error) {
        for (const w of waiters) w.reject(error);
      }
      if (this.#bytes > this.#options.maxSegmentBytes) await this.#startSegment();
      await this.#dropDone();
    }
  }

  /** Marks the file written and not synced; a sync follows within `syncDelayMs` for every such write. */
  #deferSync(): void {
    this.#unsynced = true;
    if (this.#syncTimer) return;
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = undefined;
      void this.#syncDeferred();
    }, this.#options.syncDelayMs);
    this.#syncTimer.unref();
  }

  /** Syncs what was written since the last deferred sync (one at a time; never rejects). */
  async #syncDeferred(): Promise<void> {
    while (this.#syncing) await this.#syncing;
    if (!this.#unsynced) return;
    this.#unsynced = false; // writes completing during the sync mark it again and schedule the next
    this.#syncing = this.#file.datasync().then(
      () => undefined,
      (error: unknown) => {
        this.#deferSync();
        this.#options.onSyncError?.(error);
      },
    );
    await this.#syncing;
    this.#syncing = undefined;
  }

  /** Deletes the segments of earlier runs: call once every record of {@link recovered} is applied. */
  async retireRecovered(): Promise<void> {
    await this.#flushing;
    if (this.#starting) await this.#kick(false);
    for (const file of this.#recoveredFiles.splice(0))
      await unlink(join(this.#dir, file)).catch(() => undefined);
  }

  /** Writes what is pending, then closes the file; the journal refuses appends afterwards. */
  async close(): Promise<void> {
    if (this.#closed) return;
    while (this.#flushing || this.#pending.length > 0) await (this.#flushing ?? this.#kick(true));
    this.#closed = true;
    if (this.#syncTimer) clearTimeout(this.#syncTimer);
    this.#syncTimer = undefined;
    await this.#syncDeferred();
    await this.#file.close();
    // The last segment goes only with all the others: its acknowledgements may name their records.
    if (this.#recoveredFiles.length === 0 && this.#segments.size === 1 && this.#current.open.size === 0) {
      await unlink(join(this.#dir, this.#current.name)).catch(() => undefined);
    }
  }
}
