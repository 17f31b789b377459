/**
 * Routing test support: one embedded table shared by several "instances" (each its own `Gateway`, so
 * its own routing cache), a movable clock, catalog fixtures and fake upstreams on loopback.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Principal } from '../../lib/auth/roles.js';
import { loadConfig } from '../../lib/config.js';
import { createGateway, type Gateway } from '../../lib/runtime/gateway.js';
import type { ModelCreate } from '../../lib/schemas/models.js';
import type { ProviderCreate } from '../../lib/schemas/providers.js';
import type { RuleCreate } from '../../lib/schemas/routing.js';
import { createModel } from '../../lib/services/models/service.js';
import { createProvider } from '../../lib/services/providers/service.js';
import type { Candidate } from '../../lib/services/routing/resolve.js';
import { createRule } from '../../lib/services/routing/rules/service.js';
import { upstreamStatusError } from '../../lib/upstream/classify.js';
import { startEmbeddedDynamo } from '../../local/dynamo.js';

export const ADMIN: Principal = { keyId: 'key_test_admin', role: 'admin' };
export const ACTOR = { keyId: 'key_test_admin', requestId: 'req_test', sourceIp: '127.0.0.1' };

/** A clock tests move by hand (deps.now); starts at a fixed minute boundary plus 10 s. */
export class ManualClock {
  constructor(public ms = Date.UTC(2026, 10, 26, 12, 0, 10)) {}
  readonly now = () => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface SharedTable {
  endpoint: string;
  /** A new instance: its own Gateway (own routing caches) on the shared table. */
  instance(options?: { env?: Record<string, string>; now?: () => number }): Gateway;
  close(): Promise<void>;
}

/** Starts an in-memory embedded DynamoDB with the gateway's table. */
export async function startSharedTable(baseEnv: Record<string, string> = {}): Promise<SharedTable> {
  const dynamo = await startEmbeddedDynamo();
  const tableName = `routing_${Math.random().toString(36).slice(2, 8)}`;
  const make = (options: { env?: Record<string, string>; now?: () => number } = {}) =>
    createGateway(
      loadConfig({
        GATEWAY_RUNTIME: 'local',
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        TABLE_NAME: tableName,
        LOG_LEVEL: 'ERROR',
        ...baseEnv,
        ...options.env,
      }),
      options.now,
    );
  const setup = make();
  await setup.table.ensureTable();
  setup.table.close();
  return { endpoint: dynamo.endpoint, instance: make, close: () => dynamo.close() };
}

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
