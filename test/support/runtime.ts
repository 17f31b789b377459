import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../local/start.js';
import { closeSiblings } from './instances.js';

/** The admin key of every test runtime. */
export const TEST_ADMIN_KEY = 'gk_test_admin_key_0123456789abcdef';

export interface TestGateway {
  runtime: LocalRuntime;
  url: string;
  adminKey: string;
  /** Calls the gateway over a real socket with the admin key (or `key`), returning status, headers and JSON. */
  call(
    method: string,
    path: string,
    options?: { body?: unknown; rawBody?: string; key?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; json: any; text: string }>;
  stop(): Promise<void>;
}

/**
 * Starts the local runtime on a free port with a fresh data folder (the real handlers, real
 * sockets). `options.now` replaces the clock of every service (tests move time with it).
 */
export async function startTestGateway(
  env: Record<string, string> = {},
  options: { now?: () => number } = {},
): Promise<TestGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-test-'));
  const runtime = await startLocalRuntime(
    {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: '0',
      ADMIN_API_KEY: TEST_ADMIN_KEY,
      LOG_LEVEL: 'ERROR',
      // Tests that want the built-in mock provider turn it on; the rest count exact provider lists.
      MOCK_PROVIDER: 'off',
      ...env,
    },
    options,
  );
  return {
    runtime,
    url: runtime.url,
    adminKey: runtime.adminKey,
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const key = options.key === undefined ? runtime.adminKey : options.key;
      if (key !== null) headers.authorization = `Bearer ${key}`;
      let body: string | undefined = options.rawBody;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(runtime.url + path, { method, headers, body });
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, json, text };
    },
    async stop() {
      // Sibling instances write to this runtime's store: they finish before it closes.
      await closeSiblings(runtime.deps.config.DYNAMODB_ENDPOINT);
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A provider body that passes validation; `overrides` replace fields. */
export function providerBody(name: string, overrides: Record<string, unknown> = {}) {
  return { name, provider_type: 'openai', service_types: ['llm'], ...overrides };
}

/**
 * Creates a provider over the admin API, stores `apiKey` as its credential and adds `models`
 * (model bodies) to its catalog; fails the test on any answer but 201. Returns the provider id.
 */
export async function seedProvider(
  gw: TestGateway,
  body: Record<string, unknown>,
  options: { apiKey: string; models: Array<Record<string, unknown>> },
): Promise<string> {
  const created = await gw.call('POST', '/api/providers', { body });
  expect(created.status, created.text).toBe(201);
  const id = created.json.id as string;
  const credential = await gw.call('POST', `/api/providers/${id}/credentials`, {
    body: { credential_type: 'api_key', credential_value: options.apiKey },
  });
  expect(credential.status, credential.text).toBe(201);
  for (const model of options.models) {
    const added = await gw.call('POST', `/api/providers/${id}/models`, { body: model });
    expect(added.status, added.text).toBe(201);
  }
  return id;
}

/**
 * Starts the local runtime on `dataDir` (kept: a second start on the same folder is a restart),
 * with the built-in mock provider and no health schedule.
 */
export function startOnDataDir(dataDir: string): Promise<LocalRuntime> {
  return startLocalRuntime({
    ...process.env,
    DATA_DIR: dataDir,
    PORT: '0',
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    LOG_LEVEL: 'ERROR',
    MOCK_PROVIDER: 'on',
    HEALTH_SCHEDULE: 'off',
  });
}
