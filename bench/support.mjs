/**
 * Helpers shared by the benchmark scripts of bench/ (not part of `npm test`): command-line flags,
 * timing, process CPU, waiting for a URL or a state file, the child processes a benchmark starts
 * (the DynamoDB stand-in, the gateway through bench/ours.sh, the peer-bench mocks) and the esbuild
 * options of the stack's GatewayFunction.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/..). */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The value after `--<name>` on the command line, else `def`. */
export const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};

/** Whether `--<name>` is on the command line. */
export const flag = (name) => process.argv.includes(`--${name}`);

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The benchmark state folder: `$<envName>` (relative to the root) or `def`, made absolute. */
export const benchState = (envName = 'BENCH_STATE', def = 'run/bench') =>
  resolve(root, process.env[envName] || def);

/** The gateway's port: `$BENCH_PORT`, else `def`. */
export const benchPort = (def) => Number(process.env.BENCH_PORT || def);

/** The keys `node bench/setup-peer.js` wrote to `<state>/keys.json` ({ adminKey, keys, providerIds, base }). */
export const readKeys = (state) => JSON.parse(readFileSync(join(state, 'keys.json'), 'utf8'));

/** Extra node flags for the measured child processes, from `$BENCH_NODE_FLAGS` (e.g. --cpu-prof). */
export const benchNodeFlags = () => (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);

/**
 * The local runtime's env for a gateway function or the services (GATEWAY_RUNTIME=local, DATA_DIR
 * in `state`, loopback upstreams allowed, no mock provider, no health schedule, warn logs, no
 * metrics) over process.env, plus `extra`.
 */
export const localRuntimeEnv = (state, extra = {}) => ({
  ...process.env,
  GATEWAY_RUNTIME: 'local',
  DATA_DIR: join(state, 'data'),
  LOG_LEVEL: 'warn',
  POWERTOOLS_METRICS_DISABLED: 'true',
  ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32',
  MOCK_PROVIDER: 'off',
  HEALTH_SCHEDULE: 'off',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  ...extra,
});

/** CPU time (user + system) of process `pid` so far, in ms, from /proc/<pid>/stat (CLK_TCK 100). */
export const procCpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};

/** CPU time (user + system) of this process so far, in µs. */
export const ownCpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** Whether `url` answers 200 now. */
export async function isUp(url) {
  try {
    return (await fetch(url)).status === 200;
  } catch {
    return false;
  }
}

/** Polls `url` every 100 ms, at most `tries` times, until it answers 200; resolves whether it did. */
export async function waitUp(url, tries = 300) {
  for (let i = 0; i < tries; i++) {
    if (await isUp(url)) return true;
    await sleep(100);
  }
  return false;
}

/** Polls `file` every 100 ms, at most `tries` times, until it holds JSON; resolves with it, or undefined. */
export async function waitForJsonFile(file, tries = 300) {
  for (let i = 0; i < tries; i++) {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      /* not written yet */
    }
    await sleep(100);
  }
  return undefined;
}

/** `{ op: n, ... }` as `op n, ...`, largest first (DynamoDB operation counts in a table cell). */
export const formatOps = (ops) =>
  Object.entries(ops)
    .sort((a, b) => b[1] - a[1])
    .map(([op, v]) => `${op} ${v}`)
    .join(', ');

/** Collects a child's piped stdout and stderr; resolves with `{ code, out, err }` when it exits. */
export function childOutput(child) {
  return new Promise((done) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    child.stderr?.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => done({ code, out, err }));
  });
}

/**
 * The child processes of one benchmark: `start` spawns in the repo root with `env` (unless the
 * options say otherwise) and tracks the child until it exits, `runJson` runs `node args` to its
 * end, `stopAll` sends SIGTERM to every child still running.
 */
export function processes(env = process.env) {
  const children = new Set();
  /** Spawns `cmd args` in the repo root, tracked until it exits. */
  const start = (cmd, args, options = {}) => {
    const child = spawn(cmd, args, { cwd: root, env, ...options });
    children.add(child);
    child.on('exit', () => children.delete(child));
    return child;
  };
  /** Runs `node args` to its end (env plus `extraEnv`); resolves with its last stdout line parsed as JSON. */
  const runJson = async (args, extraEnv = {}) => {
    const child = start('node', args, { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    const { code, out, err } = await childOutput(child);
    try {
      return JSON.parse(out.trim().split('\n').pop());
    } catch {
      throw new Error(`${args.join(' ')} exited ${code}: ${out.slice(-500)} ${err.slice(-2000)}`);
    }
  };
  /** Sends SIGTERM to every child still running. */
  const stopAll = () => {
    for (const child of children) child.kill('SIGTERM');
  };
  return { children, start, runJson, stopAll };
}

/** Sends SIGTERM to `child` and resolves once it exits (or after `timeoutMs`, when given). */
export async function stop(child, timeoutMs) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await (timeoutMs === undefined ? exited : Promise.race([exited, sleep(timeoutMs)]));
}

/**
 * Ports of the peer-bench mock upstreams (0 ms and 20 ms): peer-bench's own, 9100 and 9120, unless
 * `BENCH_MOCK_PORTS=<0ms>,<20ms>` names others (to measure beside a peer-bench run).
 */
export function mockPorts() {
  const [fast, slow] = (process.env.BENCH_MOCK_PORTS || '9100,9120').split(',').map(Number);
  return { '0ms': fast, '20ms': slow };
}

/**
 * Starts the peer-bench mock upstream (../shared/peer-bench/mock-upstream.js, or the one in
 * `$PEER_BENCH_DIR`) on `port` through
 * `start` unless something already answers its /health; `--delay` only when `delay` is given.
 * Resolves with the child, or undefined when none was started.
 */
export async function startMock(start, port, delay) {
  if (await isUp(`http://127.0.0.1:${port}/health`)) return undefined;
  const mock = join(process.env.PEER_BENCH_DIR || join(root, '../shared/peer-bench'), 'mock-upstream.js');
  const delayArgs = delay === undefined ? [] : ['--delay', String(delay)];
  return start('node', [mock, '--port', String(port), ...delayArgs], { stdio: 'ignore' });
}

/**
 * Starts bench/ours.sh through `start` (the gateway, `exec`ed, on `port`, and its DynamoDB process)
 * on the state folder `state`, after removing its stale dynamo.json. Resolves nothing: wait for
 * `/health` yourself.
 */
export function startGateway(start, { state, port, stdio = 'ignore', env = {} }) {
  rmSync(join(state, 'dynamo.json'), { force: true });
  return start(join(root, 'bench/ours.sh'), [], {
    stdio,
    env: { ...process.env, BENCH_STATE: state, BENCH_PORT: String(port), ...env },
  });
}

/**
 * Starts the DynamoDB stand-in (bench/dynamo-server: the dist/ bundle when `bundled`, else the
 * sources through tsx) through `start`, persisting under `dataDir`, exiting with this process;
 * resolves with `{ child, endpoint, pid, opsUrl }` once it has written `stateFile`.
 */
export async function startDynamoServer(start, { stateFile, dataDir, bundled = false, env }) {
  const script = bundled ? ['dist/bench/dynamo-server.js'] : ['--import', 'tsx', 'bench/dynamo-server.ts'];
  rmSync(stateFile, { force: true });
  const args = [...script, '--state', stateFile, '--data-dir', dataDir, '--parent', String(process.pid)];
  const child = start('node', args, {
    stdio: 'ignore',
    ...(env ? { env: { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } } : {}),
  });
  const ready = await waitForJsonFile(stateFile);
  if (!ready?.endpoint) throw new Error(`${script.at(-1)} did not start`);
  return { child, ...ready };
}

/** The stack's banner (infra/constructs/gateway-function.ts ESM_REQUIRE_BANNER). */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __gatewayCreateRequire } from 'node:module';const require = __gatewayCreateRequire(import.meta.url);";

/** The esbuild options of the stack's GatewayFunction: ESM, minified, the createRequire banner, no externals. */
export const esbuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  mainFields: ['module', 'main'],
  minify: true,
  banner: { js: ESM_REQUIRE_BANNER },
  logLevel: 'warning',
};

/** Bundles the function source `entry` into `outfile` with {@link esbuildOptions} (one file, no metafile). */
export async function bundleFunction(entry, outfile) {
  const { build } = await import('esbuild');
  await build({ ...esbuildOptions, entryPoints: [entry], outfile });
  return outfile;
}
