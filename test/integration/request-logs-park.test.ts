/**
 * A request-log write that fails after its retries is parked, never only logged: locally in the
 * journal (written at the next start), in AWS on the park queue (written by the park-replay
 * function, once however often SQS delivers it). A forged park message cannot write anything but
 * request-log items, and a record that could not be parked is never logged with its items.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { replayParked } from '../../functions/durable/park-replay.js';
import { writeRequestLog } from '../../lib/services/logs/writer.js';
import { keys } from '../../lib/store/keys.js';
import type { Item } from '../../lib/store/table.js';
import type { LocalRuntime } from '../../local/start.js';
import { siblingOf } from '../support/instances.js';
import { deliveredMessages, lambdaInstance, sqs, sqsRecord } from '../support/park-queue.js';
import { startOnDataDir, TEST_ADMIN_KEY } from '../support/runtime.js';
import { mockStore, type SentCommand, type StoreMock, throttlingError } from '../support/store.js';

const ADMIN = TEST_ADMIN_KEY;
const dataDir = mkdtempSync(join(tmpdir(), 'gw-logs-park-'));
let store: StoreMock | undefined;
let runtime: LocalRuntime | undefined;

afterEach(() => {
  store?.restore();
  store = undefined;
  sqs.reset();
});
afterAll(async () => {
  await runtime?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const start = () => startOnDataDir(dataDir);

/** A batch write of request-log items. */
const isLogWrite = (command: SentCommand) =>
  command.constructor.name.startsWith('BatchWrite') && JSON.stringify(command.input).includes('"LOG#');

async function call(rt: LocalRuntime, method: string, path: string, body?: unknown) {
  const res = await fetch(rt.url + path, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, id: res.headers.get('x-request-id')!, json: await res.json() };
}

const chat = (rt: LocalRuntime) =>
  call(rt, 'POST', '/v1/chat/completions', {
    model: 'mock-chat',
    messages: [{ role: 'user', content: 'hello' }],
  });

/** The stored items of one request's log record (record and payload parts). */
async function logItemsOf(rt: LocalRuntime, requestId: string): Promise<Item[]> {
  const items = await Promise.all(
    (['LOG', 'PAYLOAD'] as const).map((part) => rt.deps.table.get(keys.requestLog(requestId, part))),
  );
  return items.filter((item): item is Item => item !== undefined);
}

describe('request logs whose write fails', () => {
  it('locally: journals the records of answered requests and writes them at the next start', async () => {
    runtime = await start();
    store = mockStore();
    store.failWhen(isLogWrite, throttlingError());
    const answered = [await chat(runtime), await chat(runtime), await chat(runtime)];
    expect(answered.map((a) => a.status)).toEqual([200, 200, 200]);
    await runtime.idle();
    store.heal();
    for (const a of answered)
      expect(await call(runtime, 'GET', `/api/logs/${a.id}`)).toMatchObject({ status: 404 });

    await runtime.close();
    runtime = await start();
    for (const a of answered) {
      const read = await call(runtime, 'GET', `/api/logs/${a.id}`);
      expect(read).toMatchObject({ status: 200, json: { request_id: a.id, status: 200 } });
    }
  }, 120_000);

  it('in AWS: parks them on SQS, the replay writes them once, and a record SQS refuses is logged without its items', async () => {
    runtime ??= await start();
    const answered = await chat(runtime);
    await runtime.idle();
    const items = await logItemsOf(runtime, answered.id);
    expect(items.length).toBeGreaterThan(0);
    await Promise.all(items.map((item) => runtime!.deps.table.delete({ pk: item.pk, sk: item.sk })));

    sqs.on(SendMessageCommand).resolves({ MessageId: 'parked-log' });
    const lambda = lambdaInstance(runtime.deps);
    store = mockStore();
    store.failWhen(isLogWrite, throttlingError());
    await writeRequestLog(lambda, items);
    store.heal();

    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
    expect(
      JSON.parse(String(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody)),
    ).toMatchObject({
      kind: 'request.log',
      body: { items: expect.any(Array) },
    });
    expect(await logItemsOf(runtime, answered.id)).toEqual([]);
    const replayer = siblingOf(runtime.deps);
    expect((await replayParked(replayer, deliveredMessages())).batchItemFailures).toEqual([]);
    expect((await replayParked(replayer, deliveredMessages())).batchItemFailures).toEqual([]);
    expect(await logItemsOf(runtime, answered.id)).toEqual(items);
    expect(await call(runtime, 'GET', `/api/logs/${answered.id}`)).toMatchObject({ status: 200 });

    // SQS refuses too: the write fails, and the log line names the record, never its items.
    sqs.reset();
    sqs.on(SendMessageCommand).rejects(new Error('queue unavailable'));
    store.failWhen(isLogWrite, throttlingError());
    const lines: string[] = [];
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture as never);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture as never);
    try {
      await expect(writeRequestLog(lambda, items)).rejects.toThrow();
    } finally {
      out.mockRestore();
      err.mockRestore();
      store.heal();
    }
    expect(lines.join('')).toContain('durable write lost');
    expect(lines.join('')).not.toContain('"items"');
  }, 60_000);

  it('refuses a forged park message that would write anything but request-log items', async () => {
    runtime ??= await start();
    const forged = { ...keys.apiKeyRecord('key_forged'), entity: 'api_key_record', role: 'admin' };
    const event: SQSEvent = {
      Records: [
        sqsRecord(
          'forged',
          JSON.stringify({ kind: 'request.log', id: 'log.forged', body: { items: [forged] } }),
        ),
      ],
    };
    expect((await replayParked(siblingOf(runtime.deps), event)).batchItemFailures).toEqual([
      { itemIdentifier: 'forged' },
    ]);
    expect(await runtime.deps.table.get(keys.apiKeyRecord('key_forged'))).toBeUndefined();
  });
});
