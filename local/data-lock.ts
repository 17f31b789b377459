import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from '../lib/errors.js';

const LOCK_FILE = 'gateway.pid';

/** A held data folder: released by a clean stop (a crash leaves a stale lock the next start clears). */
export interface DataLock {
  release(): void;
}

const reason = (error: unknown) => (error as NodeJS.ErrnoException).code ?? 'error';

/**
 * Whether a process with this pid runs (signal 0 checks without signalling; EPERM: it runs as
 * another user). A zombie (killed, not yet reaped: Linux `/proc/<pid>/stat` state `Z`) holds nothing.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return reason(error) === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS) or it just went: trust the signal check
  }
}

/**
 * Creates the data folder if needed and takes it for this process: `DATA_DIR/gateway.pid` holds the
 * pid, created exclusively, so two gateways never open one embedded DynamoDB (LevelDB allows one
 * process; the second would die later with a dynalite stack trace). A lock whose process is gone is
 * stale and taken over.
 *
 * @throws StartupError, one line naming the folder: it cannot be created, cannot be written, or
 * another running gateway (named by pid) holds it.
 */
export function lockDataDir(dataDir: string): DataLock {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StartupError(
      `cannot create the data folder ${dataDir} (${reason(error)}); set DATA_DIR to a folder you can write`,
    );
  }
  const file = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return { release: () => rmSync(file, { force: true }) };
    } catch (error) {
      if (reason(error) !== 'EEXIST') {
        throw new StartupError(
          `cannot write to the data folder ${dataDir} (${reason(error)}); set DATA_DIR to a folder you can write`,
        );
      }
    }
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new StartupError(
        `the data folder ${dataDir} is in use by another running gateway or tool (pid ${pid}); stop it, or set DATA_DIR to another folder`,
      );
    }
    rmSync(file, { force: true });
  }
  throw new StartupError(`cannot lock the data folder ${dataDir}: another process keeps taking it`);
}
