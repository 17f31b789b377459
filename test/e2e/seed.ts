/**
 * Seeded data for the dashboard's browser test: two providers with priced models, a usage history
 * recorded through the usage service, a quota, a routing rule and one open incident. Returns what
 * the page must show so the test can assert it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createIncident } from '../../lib/services/incidents/service.js';
import { recordUsage, type UsageEvent } from '../../lib/services/usage/record.js';
import { providerBody, type TestGateway } from '../support/runtime.js';

export interface Seeded {
  providers: { id: string; name: string }[];
  incidentId: string;
  incidentTitle: string;
  /** Requests and cost (USD) recorded in all. */
  totalRequests: number;
  totalCostUsd: number;
  /** Manual health checks run per provider, and how many of Seed Anthropic's passed (the first ones). */
  checksPerProvider: number;
  flakyOk: number;
  /** Stops the loopback upstream the health checks probe. */
  close(): Promise<void>;
}

/**
 * A loopback upstream for the health probes: `/ok/*` always answers 200; `/flaky/*` answers 200
 * to its first `FLAKY_OK` requests and 503 after, so the timeline shows both marks.
 */
const FLAKY_OK = 3;
const CHECKS = FLAKY_OK + 2;
async function startUpstream(): Promise<{ server: Server; url: string }> {
  let flaky = 0;
  const server = createServer((req, res) => {
    const up = req.url?.startsWith('/ok/') || (req.url?.startsWith('/flaky/') && ++flaky <= FLAKY_OK);
    res.writeHead(up ? 200 : 503, { 'content-type': 'application/json' });
    res.end(up ? '{"object":"list","data":[]}' : '{"error":{"message":"overloaded"}}');
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', () => ready()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const HOUR = 3_600_000;
const FROM = '2020-01-01T00:00:00Z';

async function post(gw: TestGateway, path: string, body: unknown, status = 201): Promise<{ id: string }> {
  const res = await gw.call('POST', path, { body });
  if (res.status !== status) throw new Error(`seed ${path}: ${res.status} ${res.text}`);
  return res.json;
}

/** 12 hourly calls per model over the last 12 hours: `tokens` input and output each. */
function history(providerId: string, modelId: string, tokens: number, now: number): UsageEvent[] {
  return Array.from({ length: 12 }, (_, i) => ({
    at: now - (i + 1) * HOUR,
    providerId,
    modelId,
    apiKeyId: 'key_seed',
    serviceType: 'llm',
    usage: { input_tokens: tokens, output_tokens: tokens, cached_input_tokens: 0 },
    latencyMs: 200 + i * 10,
    outcome: 'success',
  }));
}

/**
 * Seeds the gateway; `now` is the gateway's clock. The gateway must allow loopback upstreams
 * (`ALLOWED_PRIVATE_UPSTREAMS=127.0.0.1`) for the health checks.
 */
export async function seedDashboard(gw: TestGateway, now: number): Promise<Seeded> {
  const upstream = await startUpstream();
  const openai = await post(
    gw,
    '/api/providers',
    providerBody('Seed OpenAI', { base_url: `${upstream.url}/ok/v1` }),
  );
  const anthropic = await post(
    gw,
    '/api/providers',
    providerBody('Seed Anthropic', { provider_type: 'anthropic', base_url: `${upstream.url}/flaky` }),
  );
  for (let i = 0; i < CHECKS; i++) {
    for (const p of [openai, anthropic])
      await post(gw, `/api/providers/${p.id}/health-check`, undefined, 200);
  }
  // $1 per 1M input and $2 per 1M output: 100k in + 100k out costs $0.30.
  const pricing = { input_per_1m: 1, output_per_1m: 2, effective_from: FROM };
  await post(gw, `/api/providers/${openai.id}/models`, { model_id: 'gpt-4o', model_type: 'llm', pricing });
  await post(gw, `/api/providers/${anthropic.id}/models`, {
    model_id: 'claude-sonnet',
    model_type: 'llm',
    pricing,
  });
  const deps = gw.runtime.deps;
  const events = [
    ...history(openai.id, 'gpt-4o', 100_000, now),
    ...history(anthropic.id, 'claude-sonnet', 50_000, now),
  ];
  let costNanos = 0;
  for (const event of events) costNanos += (await recordUsage(deps, event)).costNanos;
  await post(gw, '/api/quotas', { provider_id: openai.id, quota_type: 'monthly_cost', limit_value: 10 });
  await post(gw, '/api/providers/routing-rules', {
    rule_name: 'gpt-4o with Claude fallback',
    rule_type: 'primary_fallback',
    service_type: 'llm',
    model_pattern: 'gpt-4o',
    targets: [{ provider_id: openai.id }, { provider_id: anthropic.id, model: 'claude-sonnet' }],
  });
  const incidentTitle = 'Elevated 5xx from Seed OpenAI';
  const incident = await createIncident(deps, {
    providerId: openai.id,
    body: { title: incidentTitle, severity: 'high', description: 'Seeded for the dashboard test.' },
    principal: { keyId: 'key_seed', role: 'admin' },
    actor: { keyId: 'key_seed', requestId: 'seed', sourceIp: '127.0.0.1' },
  });
  return {
    providers: [
      { id: openai.id, name: 'Seed OpenAI' },
      { id: anthropic.id, name: 'Seed Anthropic' },
    ],
    incidentId: incident.id,
    incidentTitle,
    totalRequests: events.length,
    totalCostUsd: costNanos / 1e9,
    checksPerProvider: CHECKS,
    flakyOk: FLAKY_OK,
    close: () => new Promise<void>((done) => upstream.server.close(() => done())),
  };
}
