#!/usr/bin/env node
/**
 * Streaming chat: time to first byte and to last byte of the body, ours against direct (and
 * Portkey when installed by peer-bench). One connection, sequential requests, targets interleaved
 * in blocks. Benchmark, not part of `npm test`.
 *
 *   node bench/setup-peer.js            # once
 *   node bench/stream-latency.mjs [--requests 300] [--delay 0|20]
 *
 * The peer-bench mock writes every SSE frame at once after its delay, so first and last byte are
 * close together upstream; the figures show what each gateway adds to each.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  arg,
  benchPort,
  benchState,
  isUp,
  processes,
  readKeys,
  sleep,
  startGateway,
  startMock,
  waitUp,
} from './support.mjs';

const state = benchState();
const REQUESTS = Number(arg('requests', 300));
const DELAY = Number(arg('delay', 0));
const mockPort = DELAY === 20 ? 9120 : 9100;
const port = benchPort(8090);
const keys = readKeys(state);
const body = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Say hello in five words.' }],
  max_tokens: 16,
  stream: true,
  stream_options: { include_usage: true },
});

const { start, stopAll } = processes();
await startMock(start, mockPort, DELAY);
const portkeyStart = join(
  process.env.PEER_BENCH_HOME || join(homedir(), '.cache/peer-bench'),
  'node_modules/@portkey-ai/gateway/build/start-server.js',
);
const withPortkey = existsSync(portkeyStart) && !(await isUp('http://127.0.0.1:8787/'));
if (withPortkey) start('node', [portkeyStart, '--port=8787', '--headless'], { stdio: 'ignore' });
startGateway(start, { state, port });

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function once(target) {
  return new Promise((done, fail) => {
    const started = performance.now();
    let first;
    const req = http.request(
      target.url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', ...target.headers },
      },
      (res) => {
        res.on('data', () => {
          first ??= performance.now();
        });
        res.on('end', () => {
          if (res.statusCode !== 200) fail(new Error(`${target.name}: ${res.statusCode}`));
          else done({ ttfb: first - started, ttlb: performance.now() - started });
        });
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

const targets = [
  { name: 'direct', url: `http://127.0.0.1:${mockPort}/v1/chat/completions`, headers: {} },
  {
    name: 'ours',
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    headers: { authorization: `Bearer ${keys.keys[DELAY === 20 ? '20ms' : '0ms']}` },
  },
];
if (withPortkey) {
  targets.push({
    name: 'portkey',
    url: 'http://127.0.0.1:8787/v1/chat/completions',
    headers: {
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': `http://127.0.0.1:${mockPort}/v1`,
      authorization: 'Bearer sk-mock',
    },
  });
}
try {
  await waitUp(`http://127.0.0.1:${port}/health`);
  if (withPortkey) await waitUp('http://127.0.0.1:8787/', 100);
  // Portkey 1.15.2 as installed by peer-bench answers streaming requests with 500 here
  // ("TypeError: immutable" in its log; its postinstall patch was not run): dropped if so.
  if (withPortkey) {
    try {
      await once(targets[2]);
    } catch (error) {
      process.stdout.write(`portkey left out: ${error.message}\n`);
      targets.pop();
    }
  }
  for (const t of targets) for (let i = 0; i < 30; i++) await once(t); // warm up
  const samples = Object.fromEntries(targets.map((t) => [t.name, { ttfb: [], ttlb: [] }]));
  const BLOCK = 50;
  for (let done = 0; done < REQUESTS; done += BLOCK) {
    for (const t of targets) {
      for (let i = 0; i < Math.min(BLOCK, REQUESTS - done); i++) {
        const s = await once(t);
        samples[t.name].ttfb.push(s.ttfb);
        samples[t.name].ttlb.push(s.ttlb);
      }
    }
  }
  const q = (xs, p) => {
    const s = [...xs].sort((a, b) => a - b);
    return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] * 100) / 100;
  };
  const rows = targets.map((t) => {
    const s = samples[t.name];
    return {
      target: t.name,
      delay_ms: DELAY,
      ttfb_p50: q(s.ttfb, 50),
      ttfb_p90: q(s.ttfb, 90),
      ttlb_p50: q(s.ttlb, 50),
      ttlb_p90: q(s.ttlb, 90),
    };
  });
  for (const r of rows) {
    const d = rows[0];
    process.stdout.write(
      `${r.target.padEnd(8)} delay ${DELAY} ms  TTFB p50 ${r.ttfb_p50} (+${(r.ttfb_p50 - d.ttfb_p50).toFixed(2)})  p90 ${r.ttfb_p90}   TTLB p50 ${r.ttlb_p50} (+${(r.ttlb_p50 - d.ttlb_p50).toFixed(2)})  p90 ${r.ttlb_p90} ms\n`,
    );
  }
  process.stdout.write(`${JSON.stringify({ requests: REQUESTS, rows })}\n`);
} finally {
  agent.destroy();
  stopAll();
  await sleep(1000);
}
