import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config.js';

describe('config: routing settings', () => {
  it('defaults to no global limits and a 5-in-60 s circuit open for 30 s', () => {
    expect(loadConfig({})).toMatchObject({
      GLOBAL_RATE_LIMIT_RPM: 0,
      GLOBAL_RATE_LIMIT_TPM: 0,
      CIRCUIT_FAILURE_THRESHOLD: 5,
      CIRCUIT_FAILURE_WINDOW_SECONDS: 60,
      CIRCUIT_OPEN_SECONDS: 30,
    });
  });

  it('names each bad routing variable', () => {
    expect(() =>
      loadConfig({ GLOBAL_RATE_LIMIT_RPM: '-1', CIRCUIT_FAILURE_THRESHOLD: '0', CIRCUIT_OPEN_SECONDS: 'x' }),
    ).toThrow(
      /GLOBAL_RATE_LIMIT_RPM must be an integer.*CIRCUIT_FAILURE_THRESHOLD must be an integer.*CIRCUIT_OPEN_SECONDS/,
    );
  });
});
