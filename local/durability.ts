import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeError, logger } from '../lib/observability.js';
import type { Gateway } from '../lib/runtime/gateway.js';
import { type DurableLog, type DurableRecord, journalLog } from '../lib/services/durable/log.js';
import { replayJournal } from '../lib/services/durable/replay.js';
import { RECONCILE_MAX_HOURS, reconcileUsage } from '../lib/services/usage/reconcile.js';
import { MS } from '../lib/services/usage/time.js';
import { Journal } from '../lib/store/journal.js';

/** Present while a runtime runs on DATA_DIR; found at start, it says the last run did not stop cleanly. */
const RUNNING_FILE = 'running.json';

/** The local runtime's durability: its journal, and when the previous run started if it was killed. */
export interface LocalDurability {
  log: DurableLog;
  /** Start of the previous run (epoch ms) when it ended without a clean stop. */
  killedRunSince: number | undefined;
  /** Replays the journal, reconciles the killed run's roll-ups, then marks this run as running. */
  recover(deps: Gateway): Promise<void>;
  /** Writes what the journal holds, closes it and marks the run as stopped cleanly. */
  close(): Promise<void>;
}

function previousRun(dataDir: string): number | undefined {
  const file = join(dataDir, RUNNING_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const since = (JSON.parse(readFileSync(file, 'utf8')) as { since?: unknown }).since;
    return typeof since === 'number' ? since : 0;
  } catch {
    return 0;
  }
}

/**
 * How long after a write the journal's deferred sync follows (`JOURNAL_FSYNC=on`): the most a power
 * cut can take from the journal (a process kill takes nothing: the write is done before the answer).
 */
export const JOURNAL_SYNC_DELAY_MS = 20;

/**
 * Opens the journal under `DATA_DIR/journal/` and reads what a killed run left: unacknowledged
 * records, and the `running.json` marker of a run that never stopped. `recover` then makes the
 * store whole before traffic is served on top of it.
 *
 * `fsync` (`JOURNAL_FSYNC`): every mode writes a call's records before its answer ends, which a
 * kill of the process cannot undo. `on` syncs them in groups within {@link JOURNAL_SYNC_DELAY_MS}
 * after, off the answer's path; `strict` before the answer ends; `off` never. Why `on` is the
 * default: the embedded store (dynalite over LevelDB) does not sync its own writes either, so a
 * power cut can take recent counter writes the journal has already acknowledged; syncing before
 * each answer paid for a guarantee the runtime as a whole does not give.
 */
export async function openLocalDurability(
  dataDir: string,
  options: { fsync: 'on' | 'strict' | 'off'; now: () => number },
) {
  const journal = await Journal.open(join(dataDir, 'journal'), {
    fsync: options.fsync !== 'off',
    syncDelayMs: options.fsync === 'on' ? JOURNAL_SYNC_DELAY_MS : 0,
    onSyncError: (error) => logger.error('usage journal not synced', { error: describeError(error) }),
  });
  const killedRunSince = previousRun(dataDir);
  const durability: LocalDurability = {
    log: journalLog(journal),
    killedRunSince,
    async recover(deps) {
      const records = journal.recovered as DurableRecord[];
      if (records.length > 0) {
        const summary = await replayJournal(deps, records);
        logger.info('journal replayed', { ...summary });
        if (summary.failed === 0) await journal.retireRecovered();
      }
      if (killedRunSince !== undefined) {
        // The change records the killed run had captured but not delivered are gone: the roll-ups
        // of its period are recomputed from the counters (idempotent: a max-merge).
        const toMs = options.now();
        const fromMs = Math.max(killedRunSince - MS.HOUR, toMs - RECONCILE_MAX_HOURS * MS.HOUR);
        try {
          const report = await reconcileUsage(deps, { fromMs, toMs });
          logger.info('usage roll-ups reconciled after an unclean stop', {
            from: report.from,
            to: report.to,
            counters: report.counters,
            fixed: report.fixed.length,
          });
        } catch (error) {
          logger.error('usage roll-ups not reconciled', { error: describeError(error) });
        }
      }
      writeFileSync(join(dataDir, RUNNING_FILE), JSON.stringify({ since: options.now(), pid: process.pid }), {
        mode: 0o600,
      });
    },
    async close() {
      await journal.close();
      rmSync(join(dataDir, RUNNING_FILE), { force: true });
    },
  };
  return durability;
}
