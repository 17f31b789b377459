/**
 * The local stand-in for the EventBridge schedule: every `intervalMs`, hand the health function an
 * event shaped like EventBridge's scheduled event (fresh `id`, nominal `time` to the second), as
 * AWS would. Ticks are at fixed nominal times, so consecutive runs fall in consecutive slots; a run
 * still going when the next tick comes overlaps it, as in AWS (the state writes make that safe).
 */
import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import { describeError, logger } from '../../observability.js';

/** What the schedule calls on each tick. */
export type ScheduledRun = (event: ScheduledEvent, options: { signal: AbortSignal }) => Promise<unknown>;

export interface IntervalSchedule {
  /** Stops ticking, aborts runs in flight and waits for them to finish. */
  stop(): Promise<void>;
}

/** An EventBridge-shaped scheduled event for the nominal instant `at` (epoch ms). */
export function scheduledEventAt(at: number, region = 'local'): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    // EventBridge sends the scheduled time to the second.
    time: new Date(Math.floor(at / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    region,
    resources: ['local:health-schedule'],
    detail: {},
  };
}

/** Starts calling `run` every `intervalMs` (first call one interval from now). */
export function startIntervalSchedule(input: { intervalMs: number; run: ScheduledRun }): IntervalSchedule {
  const controller = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  let nominal = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    nominal += input.intervalMs;
    timer = setTimeout(tick, Math.max(0, nominal - Date.now()));
    timer.unref();
  };
  const tick = () => {
    if (controller.signal.aborted) return;
    const running = input
      .run(scheduledEventAt(nominal), { signal: controller.signal })
      .catch((error: unknown) => logger.error('scheduled health run failed', { error: describeError(error) }))
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
    schedule();
  };
  schedule();
  return {
    stop: async () => {
      clearTimeout(timer);
      controller.abort();
      await Promise.allSettled([...inFlight]);
    },
  };
}
