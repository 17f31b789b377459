import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import type { Gateway } from '../../lib/runtime/gateway.js';
import {
  applyConfig,
  type CreatedKey,
  exportConfig,
  planConfig,
  readConfigText,
  renderPlan,
} from '../../lib/services/config-file/index.js';

export interface CommandIo {
  env: NodeJS.ProcessEnv;
  /** Folder relative paths (the file, --out, --keys-out) are read from (default: the process's). */
  cwd?: string;
  out(text: string): void;
  err(text: string): void;
  /** Opens the gateway instance to work on (see `local/attach.ts`). */
  open(env: NodeJS.ProcessEnv): Promise<{ deps: Gateway; close(): Promise<void> }>;
}

const USAGE = `Usage:
  npm run config:plan -- [FILE] [--prune]         what applying FILE would change (writes nothing)
  npm run config:apply -- [FILE] [--prune] [--keys-out PATH]
                                                  apply FILE; new API keys are printed once,
                                                  or written to PATH (mode 0600, never overwritten)
  npm run config:export -- [--out PATH] [--json]  the current configuration in the file's format
FILE defaults to gateway.config.yaml. --prune deletes what a section of the file leaves out.
`;

interface Args {
  command: string;
  file: string;
  prune: boolean;
  keysOut?: string;
  out?: string;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const [command = '', ...rest] = argv;
  const args: Args = { command, file: 'gateway.config.yaml', prune: false, json: false };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--prune') args.prune = true;
    else if (arg === '--json') args.json = true;
    else if (arg === '--keys-out' || arg === '--out') {
      const value = rest[++i];
      if (!value) throw new Error(`${arg} needs a path`);
      if (arg === '--keys-out') args.keysOut = value;
      else args.out = value;
    } else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}`);
    else args.file = arg;
  }
  return args;
}

function readFile(file: string) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  return readConfigText(text, file);
}

/**
 * Hands the new keys' secrets over once: into `keysFd` (a new 0600 file opened before anything was
 * applied, so a secret is never created with nowhere to go), else to the terminal.
 */
function handOver(keys: CreatedKey[], keysOut: { path: string; fd: number } | undefined, io: CommandIo) {
  if (keysOut) {
    const body = Object.fromEntries(keys.map((k) => [k.name, { id: k.id, key: k.key }]));
    writeFileSync(keysOut.fd, `${JSON.stringify(body, null, 2)}\n`);
    io.out(`${keys.length} new API key secret(s) written to ${keysOut.path} (mode 0600).\n`);
    return;
  }
  if (keys.length === 0) return;
  io.out('New API keys (shown once; store them now, they cannot be read again):\n');
  for (const k of keys) io.out(`  ${k.name} (${k.id}): ${k.key}\n`);
}

/** Creates the secrets file (never replacing one), before the apply makes any secret. */
function openKeysOut(path: string | undefined) {
  if (!path) return undefined;
  try {
    return { path, fd: openSync(path, 'wx', 0o600) };
  } catch (error) {
    throw new Error(
      `cannot create ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}); it must not exist yet`,
    );
  }
}

/**
 * Runs one configuration command; returns the exit code. Errors are one clear message on `err`
 * (never a stack trace): the file's problems, a reference to nothing, or the service's refusal.
 */
export async function runConfigCommand(argv: string[], io: CommandIo): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
    const at = (path: string | undefined) =>
      path === undefined ? undefined : resolve(io.cwd ?? process.cwd(), path);
    args = { ...args, file: at(args.file)!, keysOut: at(args.keysOut), out: at(args.out) };
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!['plan', 'apply', 'export'].includes(args.command)) {
    io.err(USAGE);
    return 2;
  }
  try {
    const file = args.command === 'export' ? undefined : readFile(args.file);
    if (args.keysOut && args.command !== 'apply') throw new Error('--keys-out goes with apply');
    const { deps, close } = await io.open(io.env);
    try {
      const options = { prune: args.prune, env: io.env };
      if (args.command === 'plan' && file) {
        io.out(`Plan for ${args.file}:\n${renderPlan(await planConfig(deps, file, options))}`);
      } else if (args.command === 'apply' && file) {
        const keysOut = openKeysOut(args.keysOut);
        try {
          const report = await applyConfig(deps, file, options);
          io.out(`Applied ${args.file}:\n${renderPlan(report, { applied: true })}`);
          handOver(report.createdKeys, keysOut, io);
        } finally {
          if (keysOut) closeSync(keysOut.fd);
        }
      } else {
        const { document, skipped } = await exportConfig(deps);
        const text = args.json ? `${JSON.stringify(document, null, 2)}\n` : stringify(document);
        if (args.out) writeFileSync(args.out, text);
        else io.out(text);
        for (const s of skipped) io.err(`left out: ${s}\n`);
      }
    } finally {
      await close();
    }
    return 0;
  } catch (error) {
    io.err(`config ${args.command} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
