import { describe, expect, it } from 'vitest';
import { scheduledEventAt, startIntervalSchedule } from '../../../lib/services/health/schedule.js';

describe('local health schedule: EventBridge stand-in', () => {
  it('builds scheduled events like EventBridge: fresh id, time to the second', () => {
    const a = scheduledEventAt(Date.parse('2031-03-01T00:05:00.750Z'));
    const b = scheduledEventAt(Date.parse('2031-03-01T00:05:00.750Z'));
    expect(a).toMatchObject({
      source: 'aws.events',
      'detail-type': 'Scheduled Event',
      time: '2031-03-01T00:05:00Z',
    });
    expect(a.id).not.toBe(b.id);
  });

  it('calls the run every interval and, on stop, aborts the run in flight and waits for it', async () => {
    const seen: string[] = [];
    let finished = 0;
    let abortedInFlight = false;
    const schedule = startIntervalSchedule({
      intervalMs: 40,
      run: async (event, { signal }) => {
        seen.push(event.id);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 1_000);
          signal.addEventListener('abort', () => {
            abortedInFlight = true;
            clearTimeout(timer);
            resolve();
          });
        });
        finished += 1;
      },
    });
    await new Promise((r) => setTimeout(r, 150));
    const started = performance.now();
    await schedule.stop();
    expect(performance.now() - started).toBeLessThan(100);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(new Set(seen).size).toBe(seen.length);
    expect(abortedInFlight).toBe(true);
    expect(finished).toBe(seen.length);
    const count = seen.length;
    await new Promise((r) => setTimeout(r, 120));
    expect(seen.length).toBe(count);
  });
});
