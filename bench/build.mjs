#!/usr/bin/env node
/**
 * Benchmark bundles (not part of `npm test`), built with the same esbuild options the stack's
 * GatewayFunction uses (ESM, minified, node22 target, the createRequire banner, no externals):
 *
 *   dist/local/server.js          the local runtime (all functions), for peer-bench CPU figures
 *   dist/bench/dynamo-server.js   standalone dynalite (dynalite itself stays external: LevelDB)
 *   dist/functions/<group>/<name>.js + .meta.json   one Lambda-like bundle per function (cold start):
 *     the entry module, and in <name>.chunks/ the chunks it imports (esbuild code splitting, as the
 *     stack bundles: what the handler imports only dynamically, such as the KMS, Secrets Manager,
 *     EventBridge and Bedrock clients and the X-Ray tracer, is loaded on first use, not at import)
 *
 *   node bench/build.mjs            # everything
 *   node bench/build.mjs --functions ai/chat,auth/authorizer   # only these functions
 *   node bench/build.mjs --local                                # only the local runtime bundles
 *   node bench/build.mjs --functions ai/chat --no-minify        # readable names for --cpu-prof
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { build } from 'esbuild';
import { bundleBytes } from './bundle-bytes.mjs';
import { arg, esbuildOptions, flag, root } from './support.mjs';

const out = join(root, 'dist');

/** The stack's esbuild options ({@link esbuildOptions}), with source maps and a metafile. */
const common = {
  ...esbuildOptions,
  sourcemap: true,
  sourcesContent: false,
  metafile: true,
};

if (flag('no-minify')) common.minify = false;

async function bundle(entry, outfile, extra = {}) {
  const result = await build({ ...common, entryPoints: [join(root, entry)], outfile, ...extra });
  writeFileSync(`${outfile.replace(/\.js$/, '')}.meta.json`, JSON.stringify(result.metafile));
  return statSync(outfile).size;
}

/**
 * A function bundle with code splitting (the stack's layout: infra/constructs/gateway-function.ts):
 * `<name>.js` is the entry, its chunks go to `<name>.chunks/`. Returns its {@link bundleBytes}: the
 * entry's size, what loads at import (the entry and the chunks it imports statically) and in all.
 */
async function bundleSplit(entry, outfile) {
  const name = basename(outfile, '.js');
  rmSync(join(dirname(outfile), `${name}.chunks`), { recursive: true, force: true });
  const result = await build({
    ...common,
    entryPoints: [join(root, entry)],
    outdir: dirname(outfile),
    splitting: true,
    entryNames: '[name]',
    chunkNames: `${name}.chunks/[name]-[hash]`,
  });
  writeFileSync(`${outfile.replace(/\.js$/, '')}.meta.json`, JSON.stringify(result.metafile));
  // As the stack refuses (assertNoLazyCommonJs): split, an import() of CommonJS loses named exports.
  const { inputs } = result.metafile;
  for (const [from, input] of Object.entries(inputs))
    for (const i of input.imports)
      if (i.kind === 'dynamic-import' && inputs[i.path]?.format === 'cjs')
        throw new Error(`${entry}: import() of CommonJS ${i.path} from ${from}`);
  return bundleBytes(result.metafile);
}

const only = arg('functions')?.split(',');
const localOnly = flag('local');
const sizes = {};
if (!only) {
  // dynalite loads LevelDB (a native addon) through CommonJS requires: left external, resolved
  // from node_modules at run time (dist/ sits in the project root).
  sizes['local/server'] = await bundle('local/server.ts', join(out, 'local/server.js'), {
    external: ['dynalite'],
  });
  sizes['bench/dynamo-server'] = await bundle('bench/dynamo-server.ts', join(out, 'bench/dynamo-server.js'), {
    external: ['dynalite'],
  });
}
const fnRoot = join(root, 'functions');
const functions = [];
for (const group of readdirSync(fnRoot)) {
  for (const file of readdirSync(join(fnRoot, group))) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const name = `${group}/${file.slice(0, -3)}`;
    if (localOnly || (only && !only.includes(name))) continue;
    functions.push(name);
  }
}
for (const name of functions) {
  const outfile = join(out, 'functions', `${name}.js`);
  mkdirSync(dirname(outfile), { recursive: true });
  sizes[`functions/${name}`] = await bundleSplit(`functions/${name}.ts`, outfile);
}
const width = Math.max(...Object.keys(sizes).map((k) => k.length));
const kib = (n) => `${(n / 1024).toFixed(0).padStart(6)} KiB`;
for (const [k, v] of Object.entries(sizes)) {
  const split = typeof v === 'object' ? `  (at import ${kib(v.atImport)}, all chunks ${kib(v.all)})` : '';
  process.stdout.write(`${k.padEnd(width)}  ${kib(typeof v === 'object' ? v.entry : v)}${split}\n`);
}
writeFileSync(join(out, localOnly ? 'sizes-local.json' : 'sizes.json'), JSON.stringify(sizes, null, 2));
process.stdout.write(`bundles in ${relative(process.cwd(), out) || '.'}/\n`);
