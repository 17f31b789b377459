/**
 * Benchmark helper (not part of the gateway): the measuring half of `bench/partitions.mjs`. Starts the
 * local runtime in this process (embedded DynamoDB, its change stream and stream consumers, the
 * built-in mock provider), counts DynamoDB capacity per partition with {@link PartitionCounter},
 * and drives AI requests (`POST /v1/chat/completions`, buffered) with admin reads at 1 %.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRuntime } from '../local/start.js';
import { type CounterSnapshot, PartitionCounter } from './partition-counter.js';

export interface RunOptions {
  /** Offered AI requests a second (the loop never exceeds it; the machine may deliver fewer). */
  rps: number;
  /** Seconds of measured load (after set-up and a warm-up). */
  seconds: number;
  /** Distinct invoke keys the requests are spread over (1: the worst case). */
  keys: number;
  /** Requests in flight at most. */
  concurrency?: number;
}

export interface RunResult extends CounterSnapshot {
  aiRequests: number;
  adminRequests: number;
  /** Answers that were not 2xx (should be 0). */
  failures: number;
  seconds: number;
  keys: number;
}

/**
 * The admin mix at 1 % of AI traffic: what a console and scripts read (lists of the objects, usage,
 * logs, audit, health). GETs only: configuration writes are rare next to 1 % of 10,000 a second.
 */
const ADMIN_PATHS = [
  '/api/providers',
  '/api/keys',
  '/api/quotas',
  '/api/usage',
  '/api/logs',
  '/api/audit',
  '/api/incidents',
  '/api/health/summary',
  '/api/providers/models',
  '/api/teams',
];

const MESSAGES = [{ role: 'user', content: 'Say hello in five words.' }];

/** Runs the measurement; always stops the runtime and restores what the counter patched. */
export async function measurePartitions(options: RunOptions): Promise<RunResult> {
  const counter = new PartitionCounter();
  await counter.install();
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-partitions-'));
  let runtime: Awaited<ReturnType<typeof startLocalRuntime>> | undefined;
  try {
    runtime = await startLocalRuntime({
      ...process.env,
      DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'ERROR',
      MOCK_PROVIDER: 'on',
      HEALTH_SCHEDULE: 'off',
      JOURNAL_FSYNC: 'off',
      // As in AWS: the authorizer caches a key for a minute.
      AUTH_CACHE_TTL_SECONDS: '60',
      // The routing snapshot refreshes every second here (60 s in AWS), so that a short run sees its
      // reads and measures their size; the simulation takes their frequency from the model.
      ROUTING_CACHE_TTL: '1',
    });
    const rt = runtime;
    const unsubscribe = rt.streams?.onRecord(counter.onRecord);
    const call = async (method: string, path: string, key: string, body?: unknown) => {
      const res = await fetch(rt.url + path, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    };
    const admin = rt.adminKey;
    const invokeKeys: string[] = [];
    for (let i = 0; i < options.keys; i++) {
      const made = await call('POST', '/api/keys', admin, {
        name: `bench key ${i}`,
        role: 'invoke',
        rate_limit_rpm: 10_000_000,
        rate_limit_tpm: 1_000_000_000,
      });
      if (made.status !== 201) throw new Error(`key: ${made.status} ${JSON.stringify(made.json)}`);
      invokeKeys.push(made.json.key);
    }
    const providers = await call('GET', '/api/providers', admin);
    const mock = (providers.json.data as Array<{ id: string; name: string }>).find((p) => p.name === 'mock')!;
    const quota = await call('POST', '/api/quotas', admin, {
      provider_id: mock.id,
      model_id: 'mock-chat',
      scope: 'model',
      quota_type: 'daily_requests',
      limit_value: 1_000_000_000,
      action_on_exceed: 'block',
    });
    if (quota.status !== 201) throw new Error(`quota: ${quota.status} ${JSON.stringify(quota.json)}`);

    let sent = 0;
    let failures = 0;
    let adminRequests = 0;
    const one = async (): Promise<void> => {
      const n = sent++;
      const ai = await call('POST', '/v1/chat/completions', invokeKeys[n % invokeKeys.length]!, {
        model: 'mock-chat',
        messages: MESSAGES,
        max_tokens: 16,
      });
      if (ai.status !== 200) failures++;
      if (n % 100 === 99) {
        const path = ADMIN_PATHS[Math.floor(n / 100) % ADMIN_PATHS.length]!;
        const res = await call('GET', path, admin);
        if (res.status !== 200) failures++;
        adminRequests++;
      }
    };
    const drive = async (seconds: number) => {
      const concurrency = options.concurrency ?? 8;
      const until = performance.now() + seconds * 1000;
      const start = performance.now();
      const first = sent;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < until) {
            // Pace: never ahead of the offered rate.
            const due = start + ((sent - first) / options.rps) * 1000;
            const wait = due - performance.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
            if (performance.now() >= until) break;
            await one();
          }
        }),
      );
      await rt.idle();
      await rt.streams?.idle();
    };
    // Warm-up: every key's first calls fill the caches (authorizer, routing snapshot, prices) and
    // stamp its last use (then once a minute).
    await Promise.all(
      invokeKeys.map((key) =>
        call('POST', '/v1/chat/completions', key, { model: 'mock-chat', messages: MESSAGES, max_tokens: 16 }),
      ),
    );
    await drive(Math.min(2, options.seconds));
    counter.reset();
    const before = sent;
    const adminBefore = adminRequests;
    const failuresBefore = failures;
    await drive(options.seconds);
    unsubscribe?.();
    return {
      ...counter.snapshot(),
      aiRequests: sent - before,
      adminRequests: adminRequests - adminBefore,
      failures: failures - failuresBefore,
      seconds: options.seconds,
      keys: options.keys,
    };
  } finally {
    await runtime?.close();
    counter.uninstall();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
