import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config.js';
import { ConfigError } from '../../../lib/errors.js';

describe('config: read and validated once', () => {
  it('applies the brief defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 8080,
      PROVIDER_MAX_RETRIES: 3,
      PROVIDER_REQUEST_TIMEOUT: 30,
      HEALTH_CHECK_INTERVAL: 300,
      ROUTING_CACHE_TTL: 60,
      TABLE_NAME: 'gateway',
    });
  });

  it('reads the brief variables from the environment', () => {
    const config = loadConfig({
      PROVIDER_MAX_RETRIES: '5',
      ROUTING_CACHE_TTL: '0',
      HEALTH_CHECK_INTERVAL: '10',
    });
    expect(config.PROVIDER_MAX_RETRIES).toBe(5);
    expect(config.ROUTING_CACHE_TTL).toBe(0);
    expect(config.HEALTH_CHECK_INTERVAL).toBe(10);
  });

  it('names every bad variable and its value in one clear message', () => {
    let error: unknown;
    try {
      loadConfig({ PROVIDER_MAX_RETRIES: 'three', PORT: '70000', TABLE_NAME: 'a b' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('PROVIDER_MAX_RETRIES must be an integer from 0 to 10 (got "three")');
    expect(message).toContain('PORT must be an integer from 0 to 65535 (got "70000")');
    expect(message).toContain('TABLE_NAME');
  });

  it('takes a DynamoDB endpoint as an http(s) URL or a Unix socket, and refuses anything else', () => {
    expect(loadConfig({ DYNAMODB_ENDPOINT: 'http://localhost:8000' }).DYNAMODB_ENDPOINT).toBe(
      'http://localhost:8000',
    );
    expect(loadConfig({ DYNAMODB_ENDPOINT: 'unix:/data dir/sock/dynamodb.sock' }).DYNAMODB_ENDPOINT).toBe(
      'unix:/data dir/sock/dynamodb.sock',
    );
    for (const bad of ['localhost:8000', 'unix:relative.sock', 'ftp://host'])
      expect(() => loadConfig({ DYNAMODB_ENDPOINT: bad })).toThrow(
        /DYNAMODB_ENDPOINT must be an http\(s\):\/\/ URL/,
      );
  });

  it('bounds the local runtime’s requests in flight: 256 by default, 1 at least', () => {
    expect(loadConfig({}).LOCAL_MAX_IN_FLIGHT).toBe(256);
    expect(loadConfig({ LOCAL_MAX_IN_FLIGHT: '2' }).LOCAL_MAX_IN_FLIGHT).toBe(2);
    expect(() => loadConfig({ LOCAL_MAX_IN_FLIGHT: '0' })).toThrow(
      /LOCAL_MAX_IN_FLIGHT must be an integer from 1/,
    );
  });
});

describe('config: the response cache', () => {
  it('is off for an hour by default, and refuses an unknown mode or a TTL out of bounds', () => {
    expect(loadConfig({})).toMatchObject({ CACHE_MODE: 'off', CACHE_TTL_SECONDS: 3600 });
    expect(loadConfig({ CACHE_MODE: 'read_only', CACHE_TTL_SECONDS: '60' })).toMatchObject({
      CACHE_MODE: 'read_only',
      CACHE_TTL_SECONDS: 60,
    });
    expect(() => loadConfig({ CACHE_MODE: 'on' })).toThrow(/CACHE_MODE/);
    expect(() => loadConfig({ CACHE_TTL_SECONDS: '0' })).toThrow(/CACHE_TTL_SECONDS/);
    expect(() => loadConfig({ CACHE_TTL_SECONDS: '2592001' })).toThrow(/CACHE_TTL_SECONDS/);
  });
});
