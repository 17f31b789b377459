#!/usr/bin/env node
/**
 * Partition heat simulation (issue 22). Benchmark, not part of `npm test` (test/bench/partitions.test.ts
 * runs it small). Drives the local runtime in this process (bench/partitions-run.ts) through a DynamoDB
 * stand-in that counts capacity units per partition key value, table and each GSI, stream consumers
 * included (bench/partition-counter.ts), then scales what it measured to `--rps` with the model
 * (bench/scale-model.mjs) and compares the two.
 *
 *   node bench/partitions.mjs [--rps 10000] [--seconds 12] [--mix both|one|spread] [--offered 400]
 *
 * Mixes: `one` = one key, one model, one provider (worst case); `spread` = 100 keys; `both` (default)
 * runs both and reports the hotter. Scaling to the target rate, per partition of the run:
 * - request-path operations: measured units per operation × the operations per AI request measured,
 *   × rps; except where the local runtime's frequency is not AWS's — the hourly usage counter (the
 *   local runtime group-commits concurrent requests; a Lambda container serves one at a time, so one
 *   write per request) and the per-container snapshot reads (one process here, rps × duration
 *   containers in AWS) — where the model's frequency is used with the measured units per operation;
 * - stream-consumer operations: the model's operations a second per partition in AWS (batches,
 *   counters and usage shards a batch touches, quotas) × the units of one operation as measured.
 * Partitions are grouped by pattern (ids replaced); a pattern's rate is its hottest partition's.
 *
 * The LAST line of output is one JSON object:
 *   {"rps":10000,"hottest":{"key":"<index> <partition pattern>","wcu_per_s":n,"share_of_limit":0..1},
 *    "model_vs_measured_error":0..1}
 * share = max(wcu/1000, rcu/3000) of the hottest simulated partition; error = the largest
 * |model − simulated| / max(model, simulated) of the share, over the patterns either puts at ≥ 25 %
 * of a limit at that rate (half the verdict's line; the log also prints it over those at ≥ 5 %).
 */
import { register } from 'tsx/esm/api';

const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};

/**
 * Patterns that matter for the model comparison: at least this share of a limit by either, at the
 * target rate (half the verdict's line: smaller ones cannot change it). The log also prints the
 * error over patterns at ≥ 5 %.
 */
export const MATTERS = 0.25;

/** A concrete partition key value → its pattern (the model's spelling). */
export function patternOf(key) {
  const rules = [
    [/^LOG#.+$/, 'LOG#<request>'],
    [/^LOGS#T#[^#]*#[\d-]+#\d+$/, 'LOGS#T#<team>#<day>#<shard>'],
    [/^LOGS#K#[^#]+#[\d-]+#\d+$/, 'LOGS#K#<key>#<day>#<shard>'],
    [/^LOGS#P#[^#]+#[\d-]+#\d+$/, 'LOGS#P#<provider>#<day>#<shard>'],
    [/^LOGS#M#[^#]+#[\d-]+#\d+$/, 'LOGS#M#<model>#<day>#<shard>'],
    [/^USAGE#[^#]+(#\d+)?$/, 'USAGE#<provider>'],
    [/^USAGE_DAYS#\d{4}-\d{2}(#\d+)?$/, 'USAGE_DAYS#<month>'],
    [/^USAGE_MONTHS#\d{4}(#\d+)?$/, 'USAGE_MONTHS#<year>'],
    [/^QUOTA_STATES(#\d+)?$/, 'QUOTA_STATES'],
    [/^QUOTA_STATES#\d+#R#\d+$/, 'QUOTA_STATES#<shard>#R#<replica>'],
    [/^QUOTAS#R#\d+$/, 'QUOTAS#R#<replica>'],
    [/^QUOTA#[^#]+#R#\d+$/, 'QUOTA#<quota>#R#<replica>'],
    [/^QUOTA#[^#]+#PART#.+$/, 'QUOTA#<quota>#PART#<shard>'],
    [/^QUOTA#[^#]+$/, 'QUOTA#<quota>'],
    [/^RATE#[^#]+#[^#]+#\d+$/, 'RATE#<scope>#<minute>#<shard>'],
    [/^APIKEY#[^#]+$/, 'APIKEY#<hash>'],
    [/^QUOTA_SCOPE#.+$/, 'QUOTA_SCOPE#<scope>'],
    [/^PROVIDER#[^#]+$/, 'PROVIDER#<provider>'],
    [/^PROVIDER_CREDENTIALS#[^#]+$/, 'PROVIDER_CREDENTIALS#<provider>'],
  ];
  for (const [re, pattern] of rules) if (re.test(key)) return pattern;
  return key
    .split('#')
    .map((part, i) => (i === 0 || /^[A-Z_]+$/.test(part) ? part : '<id>'))
    .join('#');
}

/** Scales one run's counts to `rps` (see the header), per concrete partition, then per pattern. */
export function simulate(run, rps, model) {
  const { OPERATIONS, containers, DEFAULTS } = model;
  const s = { ...DEFAULTS, keys: run.keys };
  const byPattern = {};
  for (const p of run.partitions) {
    const pattern = patternOf(p.key);
    const entries = OPERATIONS.filter((e) => e.index === p.index && e.pattern === pattern);
    let wcu = 0;
    let rcu = 0;
    let consumerWcu = 0;
    let consumerRcu = 0;
    for (const [who, c] of Object.entries(p.byOrigin)) {
      if (who === 'request') {
        // Per-container operations (snapshots, shared figures) at the model's frequency (and the
        // share of refreshes one partition sees), with the size measured; the hourly usage counter once per request (no group commit in a Lambda).
        const perContainer = (op) =>
          entries.find((e) => e.per === 'container' && e.op === op && e.via === 'request');
        const counter = entries.some((e) => e.name === 'hourly usage counter (ADD)');
        const reader = perContainer('read');
        const writer = perContainer('write');
        if (c.reads > 0 && reader)
          rcu +=
            (containers(rps, s) / reader.everySeconds) * model.refreshShare(reader, s) * (c.rcu / c.reads);
        else rcu += (c.rcu / run.aiRequests) * rps;
        if (c.writes > 0 && writer) wcu += (containers(rps, s) / writer.everySeconds) * (c.wcu / c.writes);
        else if (c.writes > 0 && counter) wcu += (c.wcu / c.writes) * rps;
        else wcu += (c.wcu / run.aiRequests) * rps;
      } else {
        // Consumer operations: per partition at the model's frequency in AWS (batches, counters
        // and shards a batch touches), with the size of an operation as measured.
        const perPartition = (op) =>
          entries
            .filter((e) => e.op === op && e.via === who)
            .reduce((sum, e) => sum + model.opsPerSecond(e, rps, s) / e.spread(s), 0);
        if (c.writes > 0) consumerWcu = Math.max(consumerWcu, perPartition('write') * (c.wcu / c.writes));
        if (c.reads > 0) consumerRcu = Math.max(consumerRcu, perPartition('read') * (c.rcu / c.reads));
      }
    }
    const id = `${p.index} ${pattern}`;
    const row = byPattern[id] ?? {
      wcu: 0,
      rcu: 0,
      maxRcu: 0,
      consumerWcu: 0,
      consumerRcu: 0,
      seen: 0,
      spread: entries[0]?.spread(s) ?? 1,
    };
    row.wcu += wcu;
    row.rcu += rcu;
    row.maxRcu = Math.max(row.maxRcu, rcu);
    row.consumerWcu = Math.max(row.consumerWcu, consumerWcu);
    row.consumerRcu = Math.max(row.consumerRcu, consumerRcu);
    row.seen += 1;
    byPattern[id] = row;
  }
  // Per partition. Writes: the pattern's total over the partitions the key design spreads it over
  // (hashes and many writers spread evenly; the hottest partition of a short run is mostly sampling
  // noise). Reads: the largest partition's (a read that fans out to every shard reads each of them;
  // the local runtime's one writer fills one shard the way each shard fills at scale).
  for (const row of Object.values(byPattern)) {
    const n = Number.isFinite(row.spread) ? row.spread : row.seen;
    row.wcu = row.wcu / Math.max(1, n) + row.consumerWcu;
    row.rcu = row.maxRcu + row.consumerRcu;
    row.share = Math.max(row.wcu / 1000, row.rcu / 3000);
  }
  return byPattern;
}

/** The comparison of one run: simulated vs modelled per pattern, the hottest, the error. */
export function compare(run, rps, model, matters = MATTERS) {
  const sim = simulate(run, rps, model);
  const mod = model.modelRates({ rps, keys: run.keys });
  const rows = [];
  let error = 0;
  for (const id of new Set([...Object.keys(sim), ...Object.keys(mod)])) {
    if (id.endsWith('LOG#<request>')) continue; // one partition per request
    const a = mod[id]?.share ?? 0;
    const b = sim[id]?.share ?? 0;
    const diff = Math.max(a, b) > 0 ? Math.abs(a - b) / Math.max(a, b) : 0;
    if (Math.max(a, b) >= matters) error = Math.max(error, diff);
    rows.push({ id, model: mod[id], sim: sim[id], diff });
  }
  rows.sort(
    (x, y) =>
      Math.max(y.sim?.share ?? 0, y.model?.share ?? 0) - Math.max(x.sim?.share ?? 0, x.model?.share ?? 0),
  );
  const [hotId, hot] = Object.entries(sim)
    .filter(([id]) => !id.endsWith('LOG#<request>'))
    .sort((x, y) => y[1].share - x[1].share)[0] ?? ['none', { wcu: 0, rcu: 0, share: 0 }];
  return {
    rows,
    hottest: { key: hotId, wcu_per_s: round(hot.wcu), share_of_limit: round(hot.share, 4) },
    error,
  };
}

const round = (n, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/** Runs the mixes and returns the final object (the CLI prints it last). */
export async function main(options) {
  const unregister = register();
  try {
    const model = await import('./scale-model.mjs');
    await model.loadShards();
    const { measurePartitions } = await import('./partitions-run.ts');
    const mixes = options.mix === 'both' ? [1, 100] : options.mix === 'spread' ? [100] : [1];
    const results = [];
    for (const keys of mixes) {
      const run = await measurePartitions({ rps: options.offered, seconds: options.seconds, keys });
      const result = compare(run, options.rps, model);
      results.push({ keys, run, ...result });
      options.log?.(
        `mix ${keys === 1 ? 'one key/model/provider' : `${keys} keys`}: ${run.aiRequests} AI + ${run.adminRequests} admin requests in ${run.seconds} s (${round(run.aiRequests / run.seconds)} req/s), ${run.failures} failed; enforcer ${JSON.stringify(run.batches['streams/quota-enforcer'])}`,
      );
      options.log?.(
        `  model vs simulated: error ${round(result.error * 100)} % over patterns ≥ ${MATTERS * 100} %, ${round(compare(run, options.rps, model, 0.05).error * 100)} % over those ≥ 5 %`,
      );
      for (const r of result.rows.slice(0, 16)) {
        const fmt = (x) =>
          x ? `${round(x.wcu)} WCU/s ${round(x.rcu)} RCU/s (${round(x.share * 100)} %)` : '-';
        options.log?.(
          `  ${r.id.padEnd(42)} model ${fmt(r.model).padEnd(34)} sim ${fmt(r.sim).padEnd(34)} diff ${round(r.diff * 100)} %`,
        );
      }
    }
    const worst = results.sort((a, b) => b.hottest.share_of_limit - a.hottest.share_of_limit)[0];
    return {
      rps: options.rps,
      hottest: worst.hottest,
      model_vs_measured_error: round(Math.max(...results.map((r) => r.error)), 4),
    };
  } finally {
    await unregister();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await main({
    rps: Number(arg('rps', 10000)),
    seconds: Number(arg('seconds', 12)),
    offered: Number(arg('offered', 400)),
    mix: arg('mix', 'both'),
    log: (line) => console.error(line),
  });
  console.log(JSON.stringify(result));
}
