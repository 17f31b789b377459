import type { ChangeCapture } from './capture.js';
import { type AttributeMap, dynaliteDb, type ItemDb } from './dynalite-internals.js';

/** AWS skips items whose TTL is more than five years in the past (the value is likely not a TTL). */
const FIVE_YEARS_S = 5 * 365 * 86_400;

function expiry(item: AttributeMap, attribute: string): number | undefined {
  const raw = item[attribute]?.N;
  const value = raw === undefined ? Number.NaN : Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

function isExpired(item: AttributeMap | undefined, attribute: string, nowS: number): boolean {
  const at = item ? expiry(item, attribute) : undefined;
  return at !== undefined && at <= nowS && at > nowS - FIVE_YEARS_S;
}

function readAll(db: ItemDb): Promise<AttributeMap[]> {
  return new Promise((resolve, reject) => {
    const items: AttributeMap[] = [];
    const stream = db.createValueStream();
    stream.on('data', (item: AttributeMap) => items.push(item));
    stream.on('error', reject);
    stream.on('end', () => resolve(items));
  });
}

/**
 * Deletes the items of a table whose TTL attribute (epoch seconds) has passed, as DynamoDB's TTL
 * process does, emitting a REMOVE change marked as a service delete. Each item is re-read and
 * deleted under dynalite's item lock (indexes included), so an item whose TTL was just extended
 * survives. Returns how many items were deleted.
 */
export async function sweepExpired(
  capture: ChangeCapture,
  input: { tableName: string; ttlAttribute: string; nowMs: number },
): Promise<number> {
  const store = capture.store;
  if (!store) return 0;
  const table = await capture.table(input.tableName);
  const db = capture.rawItemDb(input.tableName);
  const nowS = Math.floor(input.nowMs / 1000);
  const candidates = (await readAll(db)).filter((item) => isExpired(item, input.ttlAttribute, nowS));
  let deleted = 0;
  for (const candidate of candidates) {
    const key = dynaliteDb.createKey(candidate, table);
    const removed = await new Promise<boolean>((resolve, reject) => {
      db.lock(key, (release) => {
        const done = release((error?: Error | null, value?: boolean) =>
          error ? reject(error) : resolve(Boolean(value)),
        );
        db.get(key, (readError, current) => {
          if (readError && readError.name !== 'NotFoundError') return done(readError);
          if (!isExpired(current, input.ttlAttribute, nowS)) return done(null, false);
          dynaliteDb.updateIndexes(store, table, current, null, (indexError) => {
            if (indexError) return done(indexError);
            db.del(key, (delError) => {
              if (delError) return done(delError);
              capture.record({ table, oldImage: current, service: true });
              done(null, true);
            });
          });
        });
      });
    });
    if (removed) deleted++;
  }
  return deleted;
}
