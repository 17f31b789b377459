import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { replayParked } from '../../functions/durable/park-replay.js';
import { recordUsage, type UsageEvent } from '../../lib/services/usage/record.js';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynamo.js';
import { siblingOf } from '../support/instances.js';
import { deliveredMessages, lambdaInstance, sqs } from '../support/park-queue.js';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { mockStore, type StoreMock, throttlingError } from '../support/store.js';
import { hourlySum } from './usage-fixtures.js';

/**
 * Usage in AWS terms: a Lambda container's instance (no journal; a park queue) over the real
 * embedded DynamoDB, DynamoDB faults from aws-sdk-client-mock or from a proxy on the wire, the
 * park queue's SQS client mocked, and the park-replay function fed the messages SQS would deliver.
 */

function event(providerId: string, tokens: number): UsageEvent {
  return {
    at: Date.now(),
    providerId,
    modelId: 'model-a',
    apiKeyId: 'key_durable',
    serviceType: 'llm',
    usage: { input_tokens: tokens, output_tokens: 1, cached_input_tokens: 0 },
    latencyMs: 5,
    outcome: 'success',
  };
}

const isCounterWrite = (command: { constructor: { name: string }; input: Record<string, unknown> }) =>
  command.constructor.name === 'UpdateItemCommand' && JSON.stringify(command.input.Key ?? {}).includes('"H#');

describe('usage in AWS: a throttled write is parked and replayed exactly once', () => {
  let gw: TestGateway;
  let store: StoreMock;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.stop());
  afterEach(() => {
    store?.restore();
    sqs.reset();
  });

  it('parks the batch on SQS when DynamoDB throttles after the retries, and the replay counts it once', async () => {
    // Prepare: the container's counter writes are throttled; SQS takes the parked message.
    sqs.on(SendMessageCommand).resolves({ MessageId: 'parked-1' });
    const lambda = lambdaInstance(gw.runtime.deps);
    store = mockStore();
    store.failWhen(isCounterWrite, throttlingError());

    // Act: the call is recorded; the write fails after its retries.
    await recordUsage(lambda, event('prov_throttled', 100));

    // Assess: nothing counted yet, one message parked with the whole batch.
    expect(await hourlySum(gw.runtime.deps, 'prov_throttled', 'requests')).toBe(0);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
    const parked = JSON.parse(String(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody));
    expect(parked).toMatchObject({
      kind: 'usage.batch',
      body: { providerId: 'prov_throttled', add: { requests: 1 } },
    });

    // DynamoDB recovers; the same container counts a second call before the replay runs (on the
    // same counter item: one shard), then SQS delivers the parked message twice (at least once).
    store.heal();
    await recordUsage(lambda, event('prov_throttled', 10));
    const replayer = siblingOf(gw.runtime.deps);
    const first = await replayParked(replayer, deliveredMessages());
    const again = await replayParked(replayer, deliveredMessages());

    expect(first.batchItemFailures).toEqual([]);
    expect(again.batchItemFailures).toEqual([]);
    expect(await hourlySum(gw.runtime.deps, 'prov_throttled', 'requests')).toBe(2);
    expect(await hourlySum(gw.runtime.deps, 'prov_throttled', 'input_tokens')).toBe(110);
  });

  it('counts once a batch whose write landed but whose answer was lost, then was parked and replayed', async () => {
    // Prepare: the counter write reaches the table, and the container hears a timeout.
    sqs.on(SendMessageCommand).resolves({ MessageId: 'parked-2' });
    const lambda = lambdaInstance(gw.runtime.deps);
    store = mockStore();
    const realSend = store.dynamo.send.wrappedMethod as (
      this: unknown,
      ...args: unknown[]
    ) => Promise<unknown>;
    let landed = 0;
    store.dynamo.send.callsFake(async function (this: unknown, command: never, ...rest: unknown[]) {
      const answer = await realSend.call(this, command, ...rest);
      if (isCounterWrite(command) && landed++ === 0) {
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });
      }
      return answer;
    } as never);

    // Act
    await recordUsage(lambda, event('prov_ambiguous', 7));
    store.restore();
    const replay = await replayParked(siblingOf(gw.runtime.deps), deliveredMessages());

    // Assess: parked (the container could not know), replayed, counted once.
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
    expect(replay.batchItemFailures).toEqual([]);
    expect(await hourlySum(gw.runtime.deps, 'prov_ambiguous', 'requests')).toBe(1);
    expect(await hourlySum(gw.runtime.deps, 'prov_ambiguous', 'input_tokens')).toBe(7);
  });

  it('reports a message that is not a durable record as failed, and replays the rest of the batch', async () => {
    const replay = await replayParked(siblingOf(gw.runtime.deps), {
      Records: [{ ...deliveredMessages().Records[0], messageId: 'poison', body: '{"kind":"nope"}' } as never],
    });
    expect(replay.batchItemFailures).toEqual([{ itemIdentifier: 'poison' }]);
  });
});

/**
 * A proxy in front of dynalite that lets the first usage counter write land and then hangs up on
 * the caller instead of answering: the SDK sees a reset connection and retries the same write.
 */
function answerLosingProxy(
  socketPath: string,
): Promise<{ server: Server; endpoint: string; lost: () => number }> {
  let lost = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const loseAnswer =
        lost === 0 && body.includes('"H#') && String(req.headers['x-amz-target']).endsWith('UpdateItem');
      const out = httpRequest(
        { socketPath, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          if (loseAnswer) {
            lost += 1;
            answer.resume();
            answer.on('end', () => res.socket?.destroy());
            return;
          }
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        },
      );
      out.end(body);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        lost: () => lost,
      }),
    ),
  );
}

describe('usage: a write whose answer is lost on the wire is retried and counted once', () => {
  let dynamo: EmbeddedDynamo;
  let proxy: Awaited<ReturnType<typeof answerLosingProxy>>;
  let gw: TestGateway;
  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
    proxy = await answerLosingProxy(dynamo.socketPath);
    gw = await startTestGateway({ DYNAMODB_ENDPOINT: proxy.endpoint });
  });
  afterAll(async () => {
    sqs.reset();
    await gw.stop();
    proxy.server.close();
    await dynamo.close();
  });

  it('lets the write land, hangs up before the answer, parks the batch, and its retry changes nothing', async () => {
    // Prepare: a container with a park queue; the table is reached through the answer-losing proxy.
    sqs.on(SendMessageCommand).resolves({ MessageId: 'parked-3' });
    const lambda = lambdaInstance(gw.runtime.deps);

    // Act: the call is recorded; its write lands but the connection drops before the answer.
    await recordUsage(lambda, event('prov_retried', 42));
    const replay = await replayParked(siblingOf(gw.runtime.deps), deliveredMessages());

    // Assess: the answer was lost once, the batch parked and retried, and the call counts once.
    expect(proxy.lost()).toBe(1);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
    expect(replay.batchItemFailures).toEqual([]);
    expect(await hourlySum(gw.runtime.deps, 'prov_retried', 'requests')).toBe(1);
    expect(await hourlySum(gw.runtime.deps, 'prov_retried', 'input_tokens')).toBe(42);
  });
});
