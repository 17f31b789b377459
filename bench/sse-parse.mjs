#!/usr/bin/env node
/**
 * CPU time of parsing a hostile upstream's event stream (benchmark, not part of `npm test`): one
 * SSE line of 1 MiB (exactly the gateway's line bound, so it is accepted and parsed to its end)
 * followed by a blank line, arriving in pieces of `--piece` bytes (default 16; `--piece 1` for
 * single bytes). Parsing cost must be linear in the bytes received however they are split.
 *
 *   node bench/sse-parse.mjs [--piece 16] [--runs 7] [--mib 1]
 *
 * Measured on the stack's esbuild bundle (the options of `bench/build.mjs`, into run/bench-sse/) of
 * `lib/ai/sse.ts` and `lib/upstream/sse-reader.ts`, in this process, with `process.cpuUsage()`:
 *
 * - `parser`: `SseParser.push` for every piece of decoded text, then `end()`.
 * - `reader`: `readSse` over a Readable that yields the same bytes as Buffers (object mode keeps
 *   each piece apart), so UTF-8 decoding and the reader's byte cap are counted too; the bounds are
 *   the HTTP client's defaults (1 MiB per line and event, 64 MiB per stream).
 * - `stream`: the same Readable iterated with no parsing, the floor under `reader` (what Node's
 *   stream machinery costs per piece); `reader − stream` is decoding plus parsing.
 *
 * Each is run `--runs` times; reported: the first run (cold JIT) and the median of the others, in
 * ms of CPU (user + system). Prints one JSON line at the end.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { arg, benchState, esbuildOptions, ownCpuUs, root } from './support.mjs';

const PIECE = Number(arg('piece', 16));
const RUNS = Math.max(2, Number(arg('runs', 7)));
const LINE_CHARS = Number(arg('mib', 1)) * (1 << 20);
const state = benchState('BENCH_SSE_STATE', 'run/bench-sse');

// ---- bundle the parser and the reader with the stack's options -------------------------------
mkdirSync(state, { recursive: true });
const entry = join(state, 'entry.ts');
writeFileSync(
  entry,
  `export { SseParser } from ${JSON.stringify(join(root, 'lib/ai/sse.ts'))};\n` +
    `export { readSse } from ${JSON.stringify(join(root, 'lib/upstream/sse-reader.ts'))};\n`,
);
const outfile = join(state, 'sse.js');
await build({ ...esbuildOptions, entryPoints: [entry], outfile });
const { SseParser, readSse } = await import(pathToFileURL(outfile).href);

// ---- the stream: one line of exactly LINE_CHARS characters, then its blank line ---------------
const text = `data: ${'x'.repeat(LINE_CHARS - 6)}\n\n`;
const bytes = Buffer.from(text, 'utf8');
const textPieces = [];
const bytePieces = [];
for (let at = 0; at < text.length; at += PIECE) {
  textPieces.push(text.slice(at, at + PIECE));
  bytePieces.push(bytes.subarray(at, at + PIECE));
}

function parseText() {
  const parser = new SseParser({ maxLineChars: LINE_CHARS, maxEventChars: LINE_CHARS });
  let events = 0;
  for (const piece of textPieces) events += parser.push(piece).length;
  events += parser.end().events.length;
  return events;
}

async function readBytes() {
  const budget = { dispose() {} };
  const options = { provider: 'bench', budget, maxTotalBytes: 64 << 20, maxEventChars: LINE_CHARS };
  let events = 0;
  for await (const _ of readSse(Readable.from(bytePieces), options)) events++;
  return events;
}

async function iterateOnly() {
  for await (const _ of Readable.from(bytePieces));
  return 1;
}

async function measure(run) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const before = ownCpuUs();
    const events = await run();
    samples.push((ownCpuUs() - before) / 1000);
    if (events !== 1) throw new Error(`expected one event, parsed ${events}`);
  }
  const warm = samples.slice(1).sort((a, b) => a - b);
  return { first: samples[0], median: warm[Math.floor(warm.length / 2)] };
}

const parser = await measure(parseText);
const reader = await measure(readBytes);
const stream = await measure(iterateOnly);
const fmt = (n) => n.toFixed(1).padStart(8);
process.stdout.write(
  `one ${LINE_CHARS / (1 << 20)} MiB line in ${textPieces.length} pieces of ${PIECE} bytes, ${RUNS} runs\n` +
    `            first ms  median ms (CPU)\n` +
    `parser    ${fmt(parser.first)}  ${fmt(parser.median)}\n` +
    `reader    ${fmt(reader.first)}  ${fmt(reader.median)}\n` +
    `stream    ${fmt(stream.first)}  ${fmt(stream.median)}\n`,
);
process.stdout.write(
  `${JSON.stringify({ piece: PIECE, pieces: textPieces.length, parser, reader, stream })}\n`,
);
