import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, type StartedGateway, startNpmGateway } from '../support/npm-start.js';
import { openRawStore } from '../support/store.js';

/**
 * A request answered is a request counted, whatever happens to the process: clients load the real
 * `npm start` runtime, it is killed with SIGKILL at a random moment, started again on the same
 * DATA_DIR, and the stored hourly counters, the hourly report and the daily report must each hold
 * every answer the clients received, and no more than the requests they sent.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'gw-kill-'));
const CLIENTS = 10;
const ROUNDS = 5;

type Running = StartedGateway;

async function start(port: number): Promise<Running> {
  const started = await startNpmGateway({
    port,
    dataDir,
    env: { HEALTH_SCHEDULE: 'off' },
    timeoutMs: 20_000,
  });
  last = started;
  return started;
}

/** What the clients saw: answers received in full, and requests sent (received or cut by the kill). */
interface Load {
  received: number;
  sent: number;
}

/** One client: chats one after the other (every other one streamed) until `stop` is set. */
async function client(url: string, key: string, n: number, stop: { now: boolean }, load: Load) {
  for (let i = 0; !stop.now; i++) {
    const stream = (n + i) % 2 === 0;
    load.sent += 1;
    try {
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'mock-chat',
          stream,
          messages: [{ role: 'user', content: `client ${n} call ${i}` }],
        }),
      });
      const text = await res.text();
      const complete = stream
        ? text.includes('data: [DONE]')
        : res.ok && JSON.parse(text).choices?.length === 1;
      if (res.status === 200 && complete) load.received += 1;
    } catch {
      // cut by the kill: sent, not received
      return;
    }
  }
}

interface Figures {
  counters: number;
  hourly: number;
  daily: number;
}

async function usageFigures(url: string, key: string): Promise<Figures> {
  const endpoint = (
    JSON.parse(readFileSync(join(dataDir, 'dynamodb-endpoint.json'), 'utf8')) as { endpoint: string }
  ).endpoint;
  const raw = openRawStore({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: 'gateway' });
  try {
    const items = await raw.scan({
      FilterExpression: 'entity = :e',
      ExpressionAttributeValues: { ':e': 'usage_hour' },
    });
    const counters = items.reduce((sum, item) => sum + Number(item.requests ?? 0), 0);
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const report = async (granularity: string) => {
      const res = await fetch(
        `${url}/api/usage?granularity=${granularity}&start_date=${day(-1)}&end_date=${day(1)}`,
        { headers: { authorization: `Bearer ${key}` } },
      );
      expect(res.status).toBe(200);
      return ((await res.json()) as { totals: { requests: number } }).totals.requests;
    };
    return { counters, hourly: await report('hour'), daily: await report('day') };
  } finally {
    raw.close();
  }
}

/** The figures once the restarted gateway has replayed and rolled up (they only grow; give up after 15 s). */
async function settledFigures(url: string, key: string, atLeast: number): Promise<Figures> {
  const began = Date.now();
  let figures = await usageFigures(url, key);
  let stableSince = Date.now();
  while (Date.now() - began < 15_000) {
    await new Promise((r) => setTimeout(r, 250));
    const next = await usageFigures(url, key);
    const same =
      next.counters === figures.counters && next.hourly === figures.hourly && next.daily === figures.daily;
    if (!same) stableSince = Date.now();
    figures = next;
    const agreed = figures.counters === figures.hourly && figures.hourly === figures.daily;
    if (agreed && figures.counters >= atLeast && Date.now() - stableSince > 1_000) break;
  }
  return figures;
}

let last: Running | undefined;

/** Waits until the gateway that held the data folder (its pid in `gateway.pid`) has died. */
async function goneFromDataDir(): Promise<void> {
  const pid = Number.parseInt(readFileSync(join(dataDir, 'gateway.pid'), 'utf8'), 10);
  for (let i = 0; i < 400; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    // Killed but not yet reaped (a zombie) counts as gone: it holds no file or socket.
    let stat = '';
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return; // reaped meanwhile
    }
    if (stat.split(') ')[1]?.startsWith('Z')) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`the killed gateway (pid ${pid}) is still running`);
}

afterAll(() => {
  // A failed assertion leaves the last gateway running: its whole process group goes.
  if (last?.child.pid && last.child.exitCode === null) {
    try {
      process.kill(-last.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('usage under a kill: the real npm start runtime, SIGKILL mid-load, restart on the same data', () => {
  it(`counts every answer received exactly once, ${ROUNDS} kills at random moments`, async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const total: Load = { received: 0, sent: 0 };
    let running = await start(port);
    const key = readFileSync(join(dataDir, 'admin-api-key'), 'utf8').trim();
    const report: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // Prepare: 10 clients load the gateway; the kill comes at a random moment of the load.
      const stop = { now: false };
      const load: Load = { received: 0, sent: 0 };
      const clients = Array.from({ length: CLIENTS }, (_, n) => client(url, key, n, stop, load));
      // The kill lands mid-load: once answers flow (a cold start loads the chat path first), after
      // a random 0.3–1.7 s more.
      for (let waited = 0; load.received < CLIENTS && waited < 15_000; waited += 25) {
        await new Promise((r) => setTimeout(r, 25));
      }
      await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 1_400)));
      // Act: SIGKILL the whole process group (npm, tsx and node), as an OOM kill would.
      process.kill(-running.child.pid!, 'SIGKILL');
      await running.exited;
      await goneFromDataDir();
      stop.now = true;
      await Promise.all(clients);
      total.received += load.received;
      total.sent += load.sent;
      running = await start(port);
      // Assess: counters and both reports hold every answer received, and never more than was sent.
      const figures = await settledFigures(url, key, total.received);
      report.push(
        `round ${round}: received ${total.received}, sent ${total.sent}, counters ${figures.counters}, hourly ${figures.hourly}, daily ${figures.daily}`,
      );
      expect(figures.counters, report.join('\n')).toBeGreaterThanOrEqual(total.received);
      expect(figures.counters, report.join('\n')).toBeLessThanOrEqual(total.sent);
      expect(figures.hourly, report.join('\n')).toBe(figures.counters);
      expect(figures.daily, report.join('\n')).toBe(figures.counters);
    }
    if (process.env.REPORT_FIGURES) process.stdout.write(`${report.join('\n')}\n`);
    // A clean stop: the server finishes its writes and says so.
    process.kill(-running.child.pid!, 'SIGINT');
    await running.exited;
    for (let i = 0; i < 200 && !running.output().includes('stopped\n'); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(running.output()).toContain('stopped\n');
  }, 240_000);
});
