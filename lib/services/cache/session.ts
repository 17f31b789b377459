/**
 * One request's use of the response cache, between route resolution and the upstream call: look
 * the request up (a hit replays the stored answer, served by a candidate the caller may use), or
 * capture the answer of a miss and store it once it is complete and successful, after the response.
 */
import type { Principal } from '../../auth/roles.js';
import { describeError, logger, MetricUnit, metrics } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { CacheSetting } from '../../schemas/cache.js';
import type { CACHE_STATUSES } from '../../schemas/vocabulary.js';
import { stateSlot } from '../../state-slots.js';
import type { Candidate } from '../routing/index.js';
import { type EntryAddress, readEntry, type StoredAnswer, writeEntry } from './entries.js';
import { type CachePolicy, cachePolicy } from './policy.js';
import { type CachedOperation, requestKey } from './request-key.js';

/** How an operation's answers become stored answers and back. */
export interface CacheCodec<T> {
  /**
   * Wraps a live answer so it can be stored: `answer()` gives the stored form once the answer is
   * complete, `too_large` when it outgrew what is kept, `undefined` when it is not complete.
   */
  capture(value: T): Promise<{ value: T; answer(): StoredAnswer | 'too_large' | undefined }>;
  /** A stored answer as the live value the endpoint renders (a stream replays chunk for chunk). */
  replay(answer: StoredAnswer): Promise<T>;
}

/** What a request asks of the cache: the operation, its (canonical) body and headers, the codec. */
export interface CacheRequest<T> {
  operation: CachedOperation;
  body: Record<string, unknown>;
  streamed: boolean;
  headers: Record<string, string>;
  codec: CacheCodec<T>;
}

/** What the cache did for one request: the `x-gateway-cache*` headers, logs and request records. */
export interface CacheOutcome {
  status: (typeof CACHE_STATUSES)[number];
  /** Seconds since a hit's answer was stored. */
  ageSeconds?: number;
  /** Milliseconds the entry's read took (`server-timing: cache;dur=`), when it was read. */
  readMs?: number;
  /** The namespace read or written (absent on a bypass). */
  namespace?: string;
  /** What became of a miss's answer: set once the write settled. */
  write?: 'stored' | 'too_large' | 'incomplete' | 'failed';
}

/** A hit: the replayed value and the candidate that served it originally. */
export interface CacheHit<T> {
  value: T;
  candidate: Candidate;
  answer: StoredAnswer;
}

/** Model names an entry's sort key may hold: the catalog's model-id alphabet. */
const CACHEABLE_MODEL = /^[A-Za-z0-9._:/@+-]{1,200}$/;

/** The writes of misses still in flight: the instance's `close()` waits for them. */
const PENDING = stateSlot<Gateway, Set<Promise<void>>>(
  'cache writes',
  () => new Set(),
  async (pending) => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  },
);

/** An open cache session of one request. */
export interface CacheSession<T> {
  outcome: CacheOutcome;
  hit?: CacheHit<T>;
  /**
   * Wraps the value of a miss; `save` stores its answer when complete (call it after the response,
   * only for a successful outcome). A no-op where the policy does not write.
   */
  keep(value: T, candidate: Candidate): Promise<{ value: T; save(): Promise<void> }>;
}

/**
 * Opens the cache for a request whose route is resolved: applies the policy, and where it reads,
 * reads the one entry. An entry served by a provider and model that the caller may not use now (not
 * among its candidates) is a miss, so a shared namespace never leaks another scope's answers.
 *
 * @throws BadRequestError for malformed cache headers. A failed read is logged and answered as a miss.
 */
export async function openCache<T>(
  deps: Gateway,
  input: {
    principal: Principal;
    model: string;
    rule: { cache?: CacheSetting | null } | null;
    candidates: readonly Candidate[];
    request: CacheRequest<T>;
  },
): Promise<CacheSession<T>> {
  const { request } = input;
  const policy = cachePolicy(deps.config, {
    principal: input.principal,
    rule: input.rule?.cache,
    headers: request.headers,
  });
  // Key parts are ids without `#` (see `keys.ts`): a model name outside the catalog's alphabet (one a
  // glob rule let through) is served, just not cached.
  if ((!policy.read && !policy.write) || !CACHEABLE_MODEL.test(input.model)) return bypass();
  const address: EntryAddress = {
    namespace: policy.namespace,
    model: input.model,
    hash: requestKey(request.operation, request.body, request.streamed),
  };
  const outcome: CacheOutcome = { status: policy.read ? 'miss' : 'bypass', namespace: policy.namespace };
  const session: CacheSession<T> = {
    outcome,
    keep: (value, candidate) => keeper(deps, { policy, address, outcome, request, value, candidate }),
  };
  if (!policy.read) return session;
  const readStarted = performance.now();
  const entry = await readEntry(deps, address).catch((error: unknown) => {
    // The cache only saves work: a failed read (a throttled table) is a miss, never a failed request.
    logger.warn('cache entry not read', { error: describeError(error) });
    countMetric('cache_errors');
    return undefined;
  });
  outcome.readMs = performance.now() - readStarted;
  const candidate =
    entry &&
    input.candidates.find((c) => c.provider.id === entry.providerId && c.modelId === entry.servedModel);
  if (!entry || !candidate) {
    countMetric('cache_misses');
    return session;
  }
  outcome.status = 'hit';
  outcome.ageSeconds = Math.max(0, Math.floor((deps.now() - entry.storedAt) / 1000));
  countMetric('cache_hits');
  session.hit = { value: await request.codec.replay(entry.answer), candidate, answer: entry.answer };
  return session;
}

function bypass<T>(): CacheSession<T> {
  return {
    outcome: { status: 'bypass' },
    keep: async (value) => ({ value, save: async () => undefined }),
  };
}

function countMetric(name: string): void {
  metrics.addMetric(name, MetricUnit.Count, 1);
}

async function keeper<T>(
  deps: Gateway,
  k: {
    policy: CachePolicy;
    address: EntryAddress;
    outcome: CacheOutcome;
    request: CacheRequest<T>;
    value: T;
    candidate: Candidate;
  },
): Promise<{ value: T; save(): Promise<void> }> {
  if (!k.policy.write) return { value: k.value, save: async () => undefined };
  const captured = await k.request.codec.capture(k.value);
  const save = async () => {
    const answer = captured.answer();
    if (answer === undefined || answer === 'too_large') {
      k.outcome.write = answer === undefined ? 'incomplete' : 'too_large';
      if (answer === 'too_large') countMetric('cache_too_large');
      return;
    }
    const pending = deps.state(PENDING);
    const writing = writeEntry(deps, k.address, {
      answer,
      providerId: k.candidate.provider.id,
      servedModel: k.candidate.modelId,
      ttlSeconds: k.policy.ttlSeconds,
    }).then(
      (result) => {
        k.outcome.write = result;
        if (result === 'too_large') countMetric('cache_too_large');
      },
      (error: unknown) => {
        k.outcome.write = 'failed';
        logger.error('cache entry not stored', { error: describeError(error) });
      },
    );
    pending.add(writing);
    try {
      await writing;
    } finally {
      pending.delete(writing);
    }
  };
  return { value: captured.value, save };
}
