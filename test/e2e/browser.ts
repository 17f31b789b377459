/**
 * Debian's chromium for the browser tests, driven by playwright-core (Playwright's own browser
 * download does not work here). Missing chromium is installed by scripts/ensure-chromium.sh; only
 * if that fails do the tests skip, saying why.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ENSURE = fileURLToPath(new URL('../../scripts/ensure-chromium.sh', import.meta.url));

/** The chromium path, installing it first when absent; or why it cannot be had. */
export function findChromium(): { path: string } | { missing: string } {
  if (existsSync(CHROMIUM)) return { path: CHROMIUM };
  const run = spawnSync('bash', [ENSURE], { encoding: 'utf8', timeout: 300_000 });
  if (existsSync(CHROMIUM)) return { path: CHROMIUM };
  const why = (run.stderr || run.stdout || String(run.error ?? '')).trim().split('\n').slice(-2).join(' ');
  return {
    missing: `chromium is not at ${CHROMIUM} and scripts/ensure-chromium.sh could not install it: ${why}`,
  };
}

/** Headless chromium with the flags this closed network needs; Playwright gives it a fresh profile. */
export function launchChromium(path: string): Promise<Browser> {
  return chromium.launch({
    executablePath: path,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
