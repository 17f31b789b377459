import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

/**
 * Reads `.env` in `folder` (Node's own dotenv parser: `KEY=value`, quotes, `#` comments) into `env`,
 * leaving every variable the environment already has as it is: the environment wins. Returns the
 * names it set (never the values), or `undefined` when there is no `.env`.
 *
 * @throws Error naming the file when it exists but cannot be read.
 */
export function loadDotEnv(env: NodeJS.ProcessEnv, folder: string = process.cwd()): string[] | undefined {
  const file = join(folder, '.env');
  if (!existsSync(file)) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  const set: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] !== undefined) continue;
    env[name] = value;
    set.push(name);
  }
  return set;
}
