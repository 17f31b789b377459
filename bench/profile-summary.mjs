#!/usr/bin/env node
/**
 * Summarizes a `node --cpu-prof` profile (benchmark aid, not part of `npm test`): self time by
 * area (our lib/, local/, each node_modules package, node internals, GC, idle) and the top
 * functions by self time.
 *
 *   node bench/profile-summary.mjs run/bench/prof/CPU....cpuprofile [--top 30]
 */
import { readFileSync } from 'node:fs';
import { arg, root } from './support.mjs';

/** This checkout's folder in a frame's URL (`file:///…/lib/x.ts` under tsx, the bundle's path otherwise). */
const ROOT = `${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\/$/, '')}/`;

const file = process.argv[2];
const TOP = Number(arg('top', 30));
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

function area(url, name) {
  if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') return name;
  if (!url) return '(native/builtin)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  if (url.startsWith('node:')) return 'node:internals';
  const own = new RegExp(`${ROOT}(lib/[^/]+|local|functions/[^/]+|bench)`).exec(url);
  return own ? own[1] : url;
}
const areas = new Map();
const fns = new Map();
for (const [id, us] of self) {
  const n = byId.get(id);
  const { functionName, url, lineNumber } = n.callFrame;
  const a = area(url, functionName);
  areas.set(a, (areas.get(a) ?? 0) + us);
  const key = `${functionName || '(anonymous)'}  ${url.replace(new RegExp(`^.*${ROOT}`), '')}:${lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
}
// Node internals and native frames charged to the nearest caller outside them (writev under the
// AWS SDK's HTTP handler counts for the SDK, under undici for the upstream call, ...).
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const charged = new Map();
for (const [id, us] of self) {
  let cur = id;
  let a = area(byId.get(id).callFrame.url, byId.get(id).callFrame.functionName);
  while ((a === 'node:internals' || a === '(native/builtin)') && parent.has(cur)) {
    cur = parent.get(cur);
    const f = byId.get(cur).callFrame;
    if (f.functionName === '(root)') break;
    a = area(f.url, f.functionName);
  }
  charged.set(a, (charged.get(a) ?? 0) + us);
}
const busy = total - (areas.get('(idle)') ?? 0);
const pct = (us) => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
process.stdout.write(
  `total ${(total / 1000).toFixed(0)} ms, busy (not idle) ${(busy / 1000).toFixed(0)} ms\n\nby area (share of busy time):\n`,
);
for (const [a, us] of [...areas].sort((x, y) => y[1] - x[1]).slice(0, 25))
  if (a !== '(idle)') process.stdout.write(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(6)} ms  ${a}\n`);
process.stdout.write('\nby area, node internals charged to their caller:\n');
for (const [a, us] of [...charged].sort((x, y) => y[1] - x[1]).slice(0, 25))
  if (a !== '(idle)') process.stdout.write(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(6)} ms  ${a}\n`);
process.stdout.write(`\ntop ${TOP} functions by self time:\n`);
for (const [f, us] of [...fns].sort((x, y) => y[1] - x[1]).slice(0, TOP + 1))
  if (!f.startsWith('(idle)')) process.stdout.write(`  ${pct(us)}  ${f.slice(0, 150)}\n`);

// Inclusive shares: a sample counts for the first bucket any frame of its stack matches (in this
// order), so SDK work run from node's HTTP client callbacks still counts for the DynamoDB client.
const BUCKETS = [
  [
    'DynamoDB client (AWS SDK v3 + node http client)',
    /node_modules\/@(smithy|aws-sdk|aws-crypto)\/|node:_http_client|node:_http_agent/,
  ],
  ['upstream call (undici)', /node_modules\/undici\//],
  ['logging (powertools logger)', /@aws-lambda-powertools\/logger/],
  ['metrics/tracer (powertools)', /@aws-lambda-powertools\/(metrics|tracer|commons)/],
  ['request validation (zod)', /node_modules\/zod\//],
  ['middy', /node_modules\/@middy\//],
  ['gateway lib/ code', new RegExp(`${ROOT}lib/`)],
  [
    'local runtime (HTTP server, event shaping)',
    new RegExp(`${ROOT}local/|node:_http_server|node:_http_incoming|node:_http_outgoing`),
  ],
];
const inclusive = new Map();
for (const [id, us] of self) {
  const f0 = byId.get(id).callFrame;
  if (f0.functionName === '(idle)') continue;
  let bucket = f0.functionName === '(garbage collector)' ? 'GC' : 'other (node internals, event loop)';
  const urls = [];
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) urls.push(byId.get(cur).callFrame.url);
  for (const [name, re] of BUCKETS) {
    if (urls.some((u) => re.test(u))) {
      bucket = name;
      break;
    }
  }
  inclusive.set(bucket, (inclusive.get(bucket) ?? 0) + us);
}
process.stdout.write('\ninclusive, by first matching bucket (share of busy time):\n');
for (const [a, us] of [...inclusive].sort((x, y) => y[1] - x[1]))
  process.stdout.write(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(6)} ms  ${a}\n`);
