/**
 * Routing test support: catalog fixtures, fake upstreams on loopback, and the routing pipeline as
 * the AI services run it (resolve, then fail over with the routing hooks). The table and its
 * instances come from `store-harness.ts`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gateway } from '../../lib/runtime/gateway.js';
import type { ModelCreate } from '../../lib/schemas/models.js';
import type { ProviderCreate } from '../../lib/schemas/providers.js';
import type { RuleCreate } from '../../lib/schemas/routing.js';
import { createModel } from '../../lib/services/models/service.js';
import { createProvider } from '../../lib/services/providers/service.js';
import { executeWithFailover, type FailoverResult } from '../../lib/services/routing/failover.js';
import { type RoutingTicket, routingHooks } from '../../lib/services/routing/hooks.js';
import { type Candidate, type RequestNeeds, resolveRoute } from '../../lib/services/routing/resolve.js';
import { createRule } from '../../lib/services/routing/rules/service.js';
import { upstreamStatusError } from '../../lib/upstream/classify.js';
import { ACTOR, ADMIN } from './principals.js';

/** Creates an active provider (type `mock`: no base URL) serving `llm` unless told otherwise. */
export async function addProvider(deps: Gateway, name: string, extra: Partial<ProviderCreate> = {}) {
  return createProvider(deps, { name, provider_type: 'mock', service_types: ['llm'], ...extra }, ACTOR);
}

/** Adds a model to a provider's catalog. */
export async function addModel(
  deps: Gateway,
  providerId: string,
  model: Partial<ModelCreate> & { model_id: string },
) {
  return createModel(deps, {
    providerId,
    model: { model_type: 'llm', ...model },
    principal: ADMIN,
    actor: ACTOR,
  });
}

/** Creates a rule as the admin. */
export async function addRule(deps: Gateway, rule: RuleCreate) {
  return createRule(deps, { rule, principal: ADMIN, actor: ACTOR });
}

type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

export interface FakeUpstream {
  url: string;
  /** Requests received so far. */
  hits: number;
  /** Epoch ms of each request's arrival. */
  arrivals: number[];
  respond: Handler;
  close(): Promise<void>;
}

/** A fake upstream on 127.0.0.1 whose behaviour (`respond`) tests may swap at any time. */
export async function fakeUpstream(respond: Handler = ok()): Promise<FakeUpstream> {
  const fake: FakeUpstream = {
    url: '',
    hits: 0,
    arrivals: [],
    respond,
    close: async () => {
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
    },
  };
  const server = createServer((req, res) => {
    fake.hits += 1;
    fake.arrivals.push(Date.now());
    req.resume();
    fake.respond(req, res, fake.hits);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', () => ready()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** Answers 200 with a small JSON body, after `delayMs`. */
export function ok(body: unknown = { ok: true }, delayMs = 0): Handler {
  return (_req, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    }, delayMs);
  };
}

/** Answers `status` with optional headers. */
export function fail(status: number, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ error: { message: `fake ${status}` } }));
  };
}

/**
 * The attempt function a pipeline would pass: calls the candidate's fake upstream with `fetch`
 * and throws the adapters' real normalized error (`upstreamStatusError`) on a non-2xx answer.
 */
export function fetchAttempt(urlOf: (candidate: Candidate) => string) {
  return async (candidate: Candidate, _attemptNo: number, signal: AbortSignal) => {
    const res = await fetch(`${urlOf(candidate)}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: candidate.modelId }),
      headers: { 'content-type': 'application/json' },
      signal,
    });
    const text = await res.text();
    if (!res.ok) {
      throw upstreamStatusError({
        provider: candidate.provider.provider_type,
        status: res.status,
        headers: Object.fromEntries(res.headers),
        facts: {},
        now: Date.now(),
      });
    }
    return { providerId: candidate.provider.id, body: text };
  };
}

/** A deterministic uniform source (mulberry32) for weighted tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One upstream call of a routed request; must honour `signal` (aborted at the deadline). */
export type RoutedAttempt<T> = (candidate: Candidate, attemptNo: number, signal: AbortSignal) => Promise<T>;

export interface RoutedCall<T> {
  model: string;
  attempt: RoutedAttempt<T>;
  needs?: RequestNeeds;
  /** The executor's clock (default: real time, real sleeps). */
  clock?: { now(): number; sleep(ms: number): Promise<void> };
  /** Time the run may take, from the executor clock's now (default 10 s). */
  timeoutMs?: number;
  /** With the routing hooks (circuits, provider rate limits, latency figures); default true. */
  hooks?: boolean;
}

/**
 * One `llm` request through the routing pipeline on `deps`, as the AI services run it: resolve the
 * route for `model`, then run `attempt` over its candidates with the route's retry policy and the
 * routing hooks.
 *
 * @throws what the failover executor throws (the upstream failure, a gate's refusal, a 504 at the
 *   deadline, 503 `no_available_provider` for an empty route).
 */
export async function routeAndCall<T>(
  deps: Gateway,
  call: RoutedCall<T>,
): Promise<FailoverResult<T, Candidate, RoutingTicket | undefined>> {
  const route = await resolveRoute(deps, {
    serviceType: 'llm',
    model: call.model,
    ...(call.needs ? { needs: call.needs } : {}),
  });
  const now = call.clock ? call.clock.now() : Date.now();
  return executeWithFailover<T, Candidate, RoutingTicket | undefined>({
    candidates: route.candidates,
    policy: route.policy,
    attempt: call.attempt,
    deadlineMs: now + (call.timeoutMs ?? 10_000),
    ...(call.hooks === false ? {} : { hooks: routingHooks(deps) }),
    ...(call.clock ? { clock: call.clock } : {}),
  });
}
