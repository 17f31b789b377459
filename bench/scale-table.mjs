#!/usr/bin/env node
/**
 * Prints the scale model's tables for docs/scale.md (markdown): per partition pattern, units a second
 * on one partition at 100, 1,000 and 10,000 AI requests a second (+ 1 % admin), worst-case mix and
 * 100 keys. `node --import tsx bench/scale-table.mjs` takes the shard constants from the code.
 */
import {
  DEFAULTS,
  LIMITS,
  loadShards,
  modelRates,
  OPERATIONS,
  opsPerSecond,
  SHARDS,
  unitsOf,
} from './scale-model.mjs';

await loadShards();
const RATES = [100, 1_000, 10_000];
const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n >= 1 ? n.toFixed(1) : n.toFixed(2));

console.log(
  `Shards: ${JSON.stringify(SHARDS)}; defaults: ${JSON.stringify(DEFAULTS)}; limits ${JSON.stringify(LIMITS)}\n`,
);
console.log('| Operation | Via | Index | Partition | Frequency | Units | Spread over |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const e of OPERATIONS) {
  const freq =
    e.per === 'container' || e.per === 'key'
      ? `per ${e.per} every ${e.everySeconds} s`
      : `${typeof e.times === 'function' ? `${e.times(DEFAULTS)} × ` : e.times && e.times !== 1 ? `${+e.times.toFixed(4)} × ` : ''}per ${e.per}${e.perCounter ? ' × counters touched' : ''}${e.quotaScaled ? ' × quotas' : ''}${e.share ? ` (${e.share * 100} % of admin calls)` : ''}`;
  const spread = e.spread({ ...DEFAULTS, keys: 100 });
  console.log(
    `| ${e.name} | ${e.via} | ${e.index} | \`${e.pattern}\` | ${freq} | ${unitsOf(e)}${unitsOf(e, { ...DEFAULTS, keys: 100 }) !== unitsOf(e) ? ` (${unitsOf(e, { ...DEFAULTS, keys: 100 })} at 100 keys)` : ''} ${e.op === 'write' ? 'WCU' : 'RCU'} | ${Number.isFinite(spread) ? e.spread(DEFAULTS) + (spread !== e.spread(DEFAULTS) ? ` (${spread} at 100 keys)` : '') : 'one per request'} |`,
  );
}
for (const keys of [1, 100]) {
  console.log(
    `\n${keys === 1 ? 'One key, one model, one provider (worst case)' : '100 keys'}: units a second on the hottest partition of each pattern (share of its limit)\n`,
  );
  console.log(
    `| Index | Partition | ${RATES.map((r) => `${r.toLocaleString('en-US')} req/s`).join(' | ')} |`,
  );
  console.log(`| --- | --- | ${RATES.map(() => '---').join(' | ')} |`);
  const all = RATES.map((rps) => modelRates({ rps, keys }));
  const ids = Object.keys(all[2]).sort((a, b) => all[2][b].share - all[2][a].share);
  for (const id of ids) {
    const [index, ...rest] = id.split(' ');
    const cells = all.map((m) => {
      const r = m[id];
      const parts = [];
      if (r.wcu) parts.push(`${fmt(r.wcu)} W`);
      if (r.rcu) parts.push(`${fmt(r.rcu)} R`);
      const pct = r.share * 100;
      return `${parts.join(' + ')} (${pct >= 50 ? '**' : ''}${fmt(pct)} %${pct >= 50 ? '**' : ''})`;
    });
    console.log(`| ${index} | \`${rest.join(' ')}\` | ${cells.join(' | ')} |`);
  }
}

// Capacity per AI request (all partitions together): what on-demand DynamoDB bills.
console.log('\nCapacity units per AI request (admin reads at 1 % included), worst-case mix / 100 keys\n');
console.log('| req/s | WRU per request | RRU per request |');
console.log('| --- | --- | --- |');
for (const rps of RATES) {
  const cells = [1, 100].map((keys) => {
    const s = { ...DEFAULTS, keys, rps };
    let w = 0;
    let r = 0;
    for (const e of OPERATIONS) {
      const units = opsPerSecond(e, rps, s) * unitsOf(e, s);
      if (e.op === 'write') w += units;
      else r += units;
    }
    return { w: w / rps, r: r / rps };
  });
  console.log(
    `| ${rps.toLocaleString('en-US')} | ${cells.map((c) => c.w.toFixed(2)).join(' / ')} | ${cells.map((c) => c.r.toFixed(2)).join(' / ')} |`,
  );
}
