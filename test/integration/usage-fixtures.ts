/**
 * Shared set-up of the usage and quota tests: a gateway whose clock the test moves (a ticking
 * {@link TestClock}, so caches age), providers and priced models made over the API, and
 * direct reads of counters.
 */
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { LocalEventBus } from '../../lib/events/bus.js';
import type { Gateway } from '../../lib/runtime/gateway.js';
import { COUNTER_FIELDS } from '../../lib/services/usage/counters.js';
import type { UsageEvent } from '../../lib/services/usage/record.js';
import { keys, usageShards } from '../../lib/store/keys.js';
import { TestClock } from '../support/clock.js';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';

export interface UsageGateway {
  gw: TestGateway;
  clock: TestClock;
  deps: Gateway;
  events: LocalEventBus;
  /** Waits until the change stream has delivered everything written so far. */
  settle(): Promise<void>;
  provider(name: string): Promise<string>;
  model(providerId: string, body: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

export async function startUsageGateway(
  start: number,
  env: Record<string, string> = {},
): Promise<UsageGateway> {
  const clock = new TestClock(start, { ticking: true });
  const gw = await startTestGateway(env, { now: clock.now });
  const deps = gw.runtime.deps;
  if (!(deps.events instanceof LocalEventBus)) throw new Error('the local runtime has a local event bus');
  const streams = gw.runtime.streams;
  if (!streams) throw new Error('the local runtime has a change stream');
  return {
    gw,
    clock,
    deps,
    events: deps.events,
    settle: () => streams.idle(),
    async provider(name) {
      const res = await gw.call('POST', '/api/providers', { body: providerBody(name) });
      if (res.status !== 201) throw new Error(`provider: ${res.status} ${res.text}`);
      return res.json.id as string;
    },
    async model(providerId, body) {
      const res = await gw.call('POST', `/api/providers/${providerId}/models`, { body });
      if (res.status !== 201) throw new Error(`model: ${res.status} ${res.text}`);
    },
    stop: () => gw.stop(),
  };
}

/** Sums a counter field over every hourly counter (all shards) of a provider. */
export async function hourlySum(deps: Gateway, providerId: string, field: string): Promise<number> {
  const items = await usageItems(deps, providerId, 'H');
  return items.reduce((sum, item) => sum + Number(item[field] ?? 0), 0);
}

/** Creates a quota over the API (admin) and returns its id; throws unless it was created. */
export async function createQuota(t: UsageGateway, body: Record<string, unknown>): Promise<string> {
  const res = await t.gw.call('POST', '/api/quotas', { body });
  if (res.status !== 201) throw new Error(`quota: ${res.status} ${res.text}`);
  return res.json.id as string;
}

/** Every usage item of a provider with a sort-key prefix (`H`, `D`, `M`), from every usage shard. */
export async function usageItems(deps: Gateway, providerId: string, granularity: 'H' | 'D' | 'M') {
  const shards = await Promise.all(
    usageShards().map((shard) => {
      const range = keys.usageRangeOfProvider(providerId, granularity, shard);
      return deps.table.queryAll({ partition: range.pk, skPrefix: range.prefix });
    }),
  );
  return shards.flat();
}

/** A usage event with defaults. */
export function usageEvent(over: Partial<UsageEvent> & Pick<UsageEvent, 'at' | 'providerId'>): UsageEvent {
  return {
    modelId: 'gpt-4o',
    apiKeyId: 'key_test',
    serviceType: 'llm',
    usage: { input_tokens: 0, output_tokens: 0, cached_input_tokens: 0 },
    latencyMs: 100,
    outcome: 'success',
    ...over,
  };
}

/**
 * The change-stream record of one hourly counter (model `m-1`, service `llm`, shard 0) after
 * `requests` calls of `nanosPerCall` each, as `recordUsage` would have produced it. `poison`
 * spoils its `requests`; `seq` orders records (sequence number and event id).
 */
export function hourlyCounterRecord(input: {
  providerId: string;
  hour: string;
  apiKeyId: string;
  teamId?: string;
  requests: number;
  nanosPerCall: number;
  seq: number;
  poison?: boolean;
  /** The counter's usage shard (default 0). */
  shard?: number;
}): DynamoDBRecord {
  const shard = input.shard ?? 0;
  const dimensions = keys.usageDimensions({
    modelId: 'm-1',
    apiKeyId: input.apiKeyId,
    serviceType: 'llm',
    teamId: input.teamId,
  });
  const key = keys.usageCounter({
    providerId: input.providerId,
    granularity: 'H',
    bucket: input.hour,
    dimensions,
    shard,
  });
  const image: Record<string, AttributeValue> = { pk: { S: key.pk }, sk: { S: key.sk } };
  for (const f of COUNTER_FIELDS) image[f] = { N: '0' };
  Object.assign(image, {
    requests: input.poison ? { S: 'lots' } : { N: String(input.requests) },
    cost_nanos: { N: String(input.requests * input.nanosPerCall) },
    provider_id: { S: input.providerId },
    model_id: { S: 'm-1' },
    api_key_id: { S: input.apiKeyId },
    ...(input.teamId ? { team_id: { S: input.teamId } } : {}),
    service_type: { S: 'llm' },
    hour: { S: input.hour },
    shard: { N: String(shard) },
  });
  return {
    eventID: `synthetic-${input.seq}`,
    eventName: input.requests === 1 ? 'INSERT' : 'MODIFY',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      Keys: { pk: { S: key.pk }, sk: { S: key.sk } },
      NewImage: image,
      SequenceNumber: `9${String(input.seq).padStart(20, '0')}`,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/gateway/stream/test',
  };
}
