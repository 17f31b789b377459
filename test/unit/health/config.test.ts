import { describe, expect, it } from 'vitest';
import { runBudgetMs } from '../../../functions/health/scheduled-check.js';
import { loadConfig } from '../../../lib/config.js';
import { writeReserveMs } from '../../../lib/services/health/scheduled.js';

describe('health configuration', () => {
  it('defaults to the issue’s values', () => {
    expect(loadConfig({})).toMatchObject({
      HEALTH_CHECK_INTERVAL: 300,
      HEALTH_PROBE_TIMEOUT: 10,
      HEALTH_CONCURRENCY: 10,
      HEALTH_FAILURES_TO_OPEN: 3,
      HEALTH_SUCCESSES_TO_RESOLVE: 2,
      HEALTH_HISTORY_RETENTION_DAYS: 30,
      HEALTH_SCHEDULE: 'on',
    });
  });

  it.each([
    ['HEALTH_FAILURES_TO_OPEN', '0'],
    ['HEALTH_SUCCESSES_TO_RESOLVE', 'two'],
    ['HEALTH_PROBE_TIMEOUT', '61'],
    ['HEALTH_HISTORY_RETENTION_DAYS', '-1'],
    ['HEALTH_CONCURRENCY', '1.5'],
    ['HEALTH_SCHEDULE', 'sometimes'],
  ])('refuses %s=%s at cold start, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('gives a run one interval, never past the Lambda’s remaining time, and keeps a write reserve', () => {
    const config = loadConfig({ HEALTH_CHECK_INTERVAL: '300' });
    expect(runBudgetMs(config)).toBe(300_000);
    expect(runBudgetMs(config, 60_000)).toBe(58_500);
    expect(runBudgetMs(config, 900_000)).toBe(300_000);
    expect([writeReserveMs(300_000), writeReserveMs(1_000), writeReserveMs(100)]).toEqual([3_000, 200, 100]);
  });
});
