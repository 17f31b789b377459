import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { describeError, logger } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Quota } from '../../schemas/quotas.js';
import { keys } from '../../store/keys.js';
import { fromImage } from '../../streams/attribute-values.js';
import { BatchFailures, minSequence, sequenceOf } from '../../streams/batch.js';
import { type HourlySource, parseHourlyImage, rollUp, rollupShard } from '../usage/rollup.js';
import { bucketStart } from '../usage/time.js';
import { quotasOfScope } from './definitions.js';
import { evaluateQuota } from './evaluate.js';
import { currentWindow, scopesOf } from './model.js';
import { keepQuotaReplicas } from './replicas.js';
import { type Overlay, overlayKey } from './usage.js';
import type { QuotaWindow } from './windows.js';

/** The newest state of one hourly counter in a batch, and the first record that carried it. */
interface Touched {
  source: HourlySource;
  firstSequence: string;
  eventId: string;
}

/** scope key → UTC hour (`yyyy-mm-ddThh`) → first sequence number that touched it */
type Scopes = Map<string, Map<string, string>>;
/** scope key → the usage shards whose rollups the batch wrote for it */
type ScopeShards = Map<string, Set<number | undefined>>;

const isHourlyChange = (r: DynamoDBRecord) =>
  (r.eventName === 'INSERT' || r.eventName === 'MODIFY') &&
  String(r.dynamodb?.Keys?.sk?.S ?? '').startsWith(keys.usageHourlySkPrefix());

/** Reads the batch's hourly counter changes; an unreadable one is reported alone (poison). */
function collect(records: DynamoDBRecord[], failures: BatchFailures): Map<string, Touched> {
  const sources = new Map<string, Touched>();
  for (const record of records) {
    if (!isHourlyChange(record)) continue;
    const sequence = sequenceOf(record);
    try {
      const source = parseHourlyImage(fromImage(record.dynamodb?.NewImage));
      const id = `${record.dynamodb?.Keys?.pk?.S}\u0000${record.dynamodb?.Keys?.sk?.S}`;
      const seen = sources.get(id);
      // Coalesce: the state with the most requests is the newest; report failures from the first.
      const newest = !seen || source.counters.requests > seen.source.counters.requests ? source : seen.source;
      const firstSequence = seen ? minSequence(seen.firstSequence, sequence) : sequence;
      sources.set(id, { source: newest, firstSequence, eventId: seen?.eventId ?? String(record.eventID) });
    } catch (error) {
      logger.warn('stream record unreadable: reported as failed', {
        sequence_number: sequence,
        error: describeError(error),
      });
      failures.add(sequence);
    }
  }
  return sources;
}

function touch(scopes: Scopes, shards: ScopeShards, touched: Touched): void {
  const { source } = touched;
  for (const scope of scopesOf(source)) {
    (shards.get(scope) ?? shards.set(scope, new Set()).get(scope)!).add(rollupShard(source));
    const hours = scopes.get(scope) ?? scopes.set(scope, new Map()).get(scope)!;
    const known = hours.get(source.hour);
    hours.set(source.hour, known ? minSequence(known, touched.firstSequence) : touched.firstSequence);
  }
}

/**
 * The windows of one quota that the touched hours fall in (each quota has its own kind and time
 * zone), each with the first sequence number that touched it.
 */
async function windowsOf(quota: Quota, hours: Map<string, string>) {
  const windows = new Map<string, { window: QuotaWindow; sequence: string }>();
  for (const [hour, sequence] of hours) {
    const window = await currentWindow(quota, bucketStart(hour));
    const known = windows.get(window.id);
    windows.set(window.id, { window, sequence: known ? minSequence(known.sequence, sequence) : sequence });
  }
  return [...windows.values()];
}

/** Rolls every touched counter up; a failed one reports its first record. */
async function rollUpAll(deps: Gateway, sources: Map<string, Touched>, failures: BatchFailures) {
  const overlay: Overlay = new Map();
  const scopes: Scopes = new Map();
  const shards: ScopeShards = new Map();
  await Promise.all(
    [...sources.values()].map(async (touched) => {
      try {
        const { daily, monthly } = await rollUp(deps, touched.source);
        overlay.set(overlayKey(daily), daily);
        overlay.set(overlayKey(monthly), monthly);
        touch(scopes, shards, touched);
      } catch (error) {
        logger.error('usage rollup failed', {
          sequence_number: touched.firstSequence,
          error: describeError(error),
        });
        failures.add(touched.firstSequence);
      }
    }),
  );
  return { overlay, scopes, shards };
}

/** Evaluates the quotas of every touched scope and window; a failure reports the first record. */
async function evaluateScopes(
  deps: Gateway,
  input: { scopes: Scopes; shards: ScopeShards; overlay: Overlay; cause: string; failures: BatchFailures },
): Promise<void> {
  await Promise.all(
    [...input.scopes].map(async ([scope, hours]) => {
      let quotas: Quota[];
      try {
        quotas = await quotasOfScope(deps, scope);
      } catch (error) {
        fail(input.failures, [...hours.values()].reduce(minSequence), error, scope);
        return;
      }
      const jobs = quotas.map(async (quota) => {
        let windows: Awaited<ReturnType<typeof windowsOf>>;
        try {
          windows = await windowsOf(quota, hours);
        } catch (error) {
          fail(input.failures, [...hours.values()].reduce(minSequence), error, quota.id);
          return;
        }
        for (const { window, sequence } of windows) {
          try {
            await evaluateQuota(deps, {
              quota,
              window,
              cause: input.cause,
              overlay: input.overlay,
              shards: [...(input.shards.get(scope) ?? [])],
            });
          } catch (error) {
            fail(input.failures, sequence, error, quota.id);
          }
        }
      });
      await Promise.all(jobs);
    }),
  );
}

function fail(failures: BatchFailures, sequence: string, error: unknown, what: string): void {
  logger.error('quota evaluation failed', { sequence_number: sequence, what, error: describeError(error) });
  failures.add(sequence);
}

/**
 * The quota enforcer's batch: rolls the hourly usage counters changed in the batch into their
 * daily and monthly rollups, then evaluates the quotas of every scope touched, in each window of
 * theirs (hour, day, week, month or year, in their time zone) that a touched hour falls in, and
 * writes their states and the states' read-replica copies (announcing crossings once; the
 * replicas are reconciled on the container's first batch and every 10 minutes). Returns a partial batch response that names
 * only records that failed: an unreadable (poison) record names itself; a failed rollup or
 * evaluation names the first record that needed it. Everything is idempotent, so Lambda's retry
 * from the lowest reported record, or a replay of the whole batch, leaves the same state.
 */
export async function enforceQuotas(
  deps: Gateway,
  records: DynamoDBRecord[],
): Promise<DynamoDBBatchResponse> {
  const failures = new BatchFailures();
  const sources = collect(records, failures);
  if (sources.size === 0) return failures.response();
  await keepQuotaReplicas(deps);
  const { overlay, scopes, shards } = await rollUpAll(deps, sources, failures);
  const cause = [...sources.values()][0]?.eventId ?? 'stream';
  await evaluateScopes(deps, { scopes, shards, overlay, cause, failures });
  return failures.response();
}
