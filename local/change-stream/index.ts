import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describeError, logger } from '../../lib/observability.js';
import type { GatewayHandler } from '../../lib/runtime/container.js';
import type { Gateway } from '../../lib/runtime/gateway.js';
import type { StreamConsumer } from '../../lib/streams/consumers.js';
import { lambdaContext } from '../event.js';
import type { ChangeCapture } from './capture.js';
import { ConsumerRunner, type FailedBatch, type Invoke } from './delivery.js';
import { type StreamIdentity, toStreamRecord } from './records.js';
import { sweepExpired } from './ttl-sweeper.js';

export { ChangeCapture } from './capture.js';
export type { FailedBatch, Invoke } from './delivery.js';

type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse | undefined>;

/** The local change stream of one table, delivering to its consumers. */
export interface LocalStreams {
  /** Resolves once every record captured so far (and those its deliveries caused) is delivered. */
  idle(): Promise<void>;
  /** Runs the TTL sweep now; resolves with how many items it deleted. */
  sweepNow(): Promise<number>;
  /** Batches that ran out of retries or record age (the on-failure destination). */
  failures(): readonly FailedBatch[];
  /**
   * Hands the kept records of failed batches back to their consumers (an operator's replay from the
   * S3 destination in AWS); batches taken leave the destination. Resolves how many were taken.
   */
  replayFailures(): Promise<number>;
  /** Calls `listener` with every record of the table, unfiltered (tests, tracing). */
  onRecord(listener: (record: DynamoDBRecord) => void): () => void;
  /** Adds a consumer with its own invoke function (tests). */
  addConsumer(consumer: StreamConsumer, invoke: Invoke): void;
  stop(): Promise<void>;
}

export interface LocalStreamsOptions {
  capture: ChangeCapture;
  /** The gateway instance the consumers run over. */
  deps: Gateway;
  tableName: string;
  region: string;
  consumers: readonly StreamConsumer[];
  ttlAttribute: string;
  now: () => number;
  /** Interval of the TTL sweep (AWS deletes expired items within days; locally every minute). */
  ttlSweepIntervalMs?: number;
  retryBaseMs?: number;
}

/**
 * Invokes `functions/<group>/<name>.ts`'s `handler` as Lambda would. The module starts loading at
 * once in the background: start-up does not wait for it, and a Ctrl-C (which also stops tsx's
 * compiler) cannot strand the batches still to deliver on the way out.
 */
function backgroundInvoke(fn: string, deps: Gateway): Invoke {
  const [group, name] = fn.split('/');
  const handler: Promise<StreamHandler> = import(`../../functions/${group}/${name}.ts`).then(
    (mod: { handler: GatewayHandler<StreamHandler> }) => mod.handler.forGateway(deps),
  );
  handler.catch(() => undefined); // a failed import surfaces on the first delivery instead
  return async (event) => (await handler)(event, lambdaContext(fn.replace('/', '-'), 900_000));
}

/** Longest a stop waits for captured changes to be delivered (the local stream lives in memory). */
const DRAIN_MS = 10_000;

/**
 * Starts the local stand-in for DynamoDB Streams + Lambda event source mappings: every change the
 * capture sees on `tableName` becomes a real-shaped `DynamoDBRecord`, fanned out to each consumer
 * (filtered, batched, in order per partition key, retried), and a timer sweeps expired items.
 */
export async function startLocalStreams(options: LocalStreamsOptions): Promise<LocalStreams> {
  const identity: StreamIdentity = {
    region: options.region,
    accountId: '000000000000',
    label: new Date(options.now()).toISOString().replace(/Z$/, ''),
  };
  const failed: FailedBatch[] = [];
  const runners: ConsumerRunner[] = [];
  const listeners = new Set<(record: DynamoDBRecord) => void>();
  const delivery = {
    retryBaseMs: options.retryBaseMs ?? 100,
    onFailure: (f: FailedBatch) => failed.push(f),
    now: options.now,
  };
  for (const consumer of options.consumers) {
    runners.push(new ConsumerRunner(consumer, backgroundInvoke(consumer.fn, options.deps), delivery));
  }
  const unsubscribe = options.capture.onChange((change) => {
    if (change.tableName !== options.tableName) return;
    const record = toStreamRecord(change, identity);
    for (const listener of listeners) listener(record);
    for (const runner of runners) runner.push(record, change.partitionKey);
  });
  const sweepNow = () =>
    sweepExpired(options.capture, {
      tableName: options.tableName,
      ttlAttribute: options.ttlAttribute,
      nowMs: options.now(),
    });
  const timer = setInterval(() => {
    sweepNow().catch((error: unknown) => logger.warn('TTL sweep failed', { error: describeError(error) }));
  }, options.ttlSweepIntervalMs ?? 60_000);
  timer.unref();
  return {
    async idle() {
      // A delivery can write items whose records another consumer needs: wait until all are quiet.
      while (!runners.every((r) => r.isIdle())) await Promise.all(runners.map((r) => r.idle()));
    },
    sweepNow,
    failures: () => failed,
    async replayFailures() {
      let taken = 0;
      for (const batch of [...failed]) {
        const runner = runners.find((r) => r.consumer.fn === batch.consumer);
        if (!batch.records || !runner || !(await runner.replay(batch.records))) continue;
        failed.splice(failed.indexOf(batch), 1);
        taken++;
      }
      return taken;
    },
    onRecord(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    addConsumer(consumer, invoke) {
      runners.push(new ConsumerRunner(consumer, invoke, delivery));
    },
    async stop() {
      clearInterval(timer);
      // Deliver what was captured before stopping: DynamoDB Streams keeps records for 24 h, this
      // stand-in only in memory, so a stop that dropped them would lose rollups and audit events.
      let drained: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        (async () => {
          while (!runners.every((r) => r.isIdle())) {
            for (const runner of runners) runner.flush();
            await Promise.all(runners.map((r) => r.idle()));
          }
        })(),
        new Promise((resolve) => {
          drained = setTimeout(resolve, DRAIN_MS);
        }),
      ]);
      clearTimeout(drained);
      unsubscribe();
      await Promise.all(runners.map((r) => r.stop()));
    },
  };
}
