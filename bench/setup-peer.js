#!/usr/bin/env node
/**
 * Benchmark set-up for ../shared/peer-bench (not part of `npm test`).
 *
 *   node bench/setup-peer.js            # prepare: fresh state, configure, write bench/peer-targets.json
 *   node bench/setup-peer.js --verify   # (OURS_SETUP) one chat through each target must answer 200
 *
 * peer-bench builds its target list before it starts our gateway, so the API keys in the targets'
 * headers must exist beforehand. `prepare` therefore starts the gateway once (bench/ours.sh, with the
 * DynamoDB stand-in persisting under run/bench/dynamo), configures it over the admin API, stops it,
 * and writes the targets; run.sh then starts the same gateway on the same data.
 *
 * Configuration ("fully on"): two `openai` providers on the peer-bench mocks (:9100 0 ms, :9120
 * 20 ms) with an api_key credential each and model `gpt-4o-mini`; a primary_fallback routing rule
 * for `gpt-4o-mini` over both; one `invoke` key per provider (scoped to it, so the rule routes that
 * key's requests to its mock) with a rate limit of 10,000,000 requests per minute, which is
 * checked (one conditional write) on every request; usage recorded on every request.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  benchPort,
  benchState,
  flag,
  isUp,
  mockPorts,
  processes,
  root,
  sleep,
  startGateway,
  startMock,
  stop,
  waitUp,
} from './support.mjs';

const state = benchState();
const port = benchPort(8080);
const base = `http://127.0.0.1:${port}`;
const targetsFile = join(root, 'bench/peer-targets.json');
const MOCKS = [
  { name: '0ms', port: mockPorts()['0ms'], delay: 0 },
  { name: '20ms', port: mockPorts()['20ms'], delay: 20 },
];
const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 16 };

async function call(adminKey, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

async function chat(key) {
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(CHAT),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`chat: ${res.status} ${text}`);
  return res.headers.get('x-gateway-provider');
}

async function verify() {
  const targets = JSON.parse(readFileSync(targetsFile, 'utf8'));
  for (const t of targets) {
    const provider = await chat(t.headers.authorization.slice('Bearer '.length));
    process.stdout.write(`${t.name}: 200 via ${provider}\n`);
  }
}

async function prepare() {
  rmSync(state, { recursive: true, force: true });
  mkdirSync(state, { recursive: true, mode: 0o700 });
  const adminKey = `gk_${randomBytes(32).toString('base64url')}`;
  writeFileSync(join(state, 'admin-key'), `${adminKey}\n`, { mode: 0o600 });

  const { start, stopAll } = processes();
  // The mocks, only for the check at the end (run.sh starts its own).
  for (const m of MOCKS) await startMock(start, m.port, m.delay);
  if (await isUp(`${base}/health`)) throw new Error(`${base} is already in use`);
  const gateway = startGateway(start, {
    state,
    port,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { LOG_LEVEL: 'warn' },
  });
  try {
    if (!(await waitUp(`${base}/health`))) throw new Error(`no 200 from ${base}/health`);
    const keys = {};
    const providerIds = [];
    for (const m of MOCKS) {
      const provider = await call(adminKey, 'POST', '/api/providers', {
        name: `peer-mock-${m.name}`,
        provider_type: 'openai',
        base_url: `http://127.0.0.1:${m.port}/v1`,
        service_types: ['llm'],
      });
      providerIds.push(provider.id);
      await call(adminKey, 'POST', `/api/providers/${provider.id}/credentials`, {
        credential_type: 'api_key',
        credential_value: 'sk-mock-peer-bench-0000000000000000',
      });
      await call(adminKey, 'POST', `/api/providers/${provider.id}/models`, {
        model_id: 'gpt-4o-mini',
        model_type: 'llm',
        capabilities: ['streaming'],
        pricing: { input_per_1m: 0.15, output_per_1m: 0.6 },
      });
      const key = await call(adminKey, 'POST', '/api/keys', {
        name: `peer-bench ${m.name}`,
        role: 'invoke',
        provider_ids: [provider.id],
        rate_limit_rpm: 10_000_000,
      });
      keys[m.name] = key.key;
    }
    await call(adminKey, 'POST', '/api/providers/routing-rules', {
      rule_name: 'peer-bench gpt-4o-mini',
      rule_type: 'primary_fallback',
      service_type: 'llm',
      model_pattern: 'gpt-4o-mini',
      provider_ids: providerIds,
    });
    const targets = MOCKS.map((m) => ({
      name: `ours-${m.name}`,
      baseline: `direct-${m.name}`,
      url: `${base}/v1/chat/completions`,
      headers: { authorization: `Bearer ${keys[m.name]}` },
      pidFile: 'run/ours.pid',
    }));
    writeFileSync(targetsFile, `${JSON.stringify(targets, null, 2)}\n`, { mode: 0o600 });
    writeFileSync(join(state, 'keys.json'), JSON.stringify({ adminKey, keys, providerIds, base }), {
      mode: 0o600,
    });
    for (const m of MOCKS) {
      const provider = await chat(keys[m.name]);
      if (provider !== `peer-mock-${m.name}`) throw new Error(`key ${m.name} routed to ${provider}`);
    }
    process.stdout.write(`configured; wrote ${targetsFile} (keys are local, throw-away)\n`);
  } finally {
    await stop(gateway);
    stopAll();
    // The DynamoDB process exits (flushing to disk) once it sees the gateway gone.
    await sleep(1500);
  }
}

if (flag('verify')) await verify();
else await prepare();
