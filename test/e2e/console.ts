/**
 * Shared set-up of the console's browser tests: the page built once (the files run in parallel and
 * share dashboard/dist, so one builds under a lock and the others wait), a seeded gateway, a browser,
 * and helpers to sign in and open a view.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, expect } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { expectAccessible, screenshot } from './a11y.js';
import { findChromium, launchChromium } from './browser.js';
import { type Seeded, seedDashboard } from './seed.js';

const DASHBOARD = fileURLToPath(new URL('../../dashboard/', import.meta.url));
// Outside the worktree (nothing to git-ignore), one per checkout.
const LOCK = join(
  tmpdir(),
  `console-build-${createHash('sha256').update(DASHBOARD).digest('hex').slice(0, 12)}.lock`,
);

export const chromium = findChromium();
// CI sets E2E_REQUIRE_CHROMIUM=1 after scripts/ensure-chromium.sh: a missing browser fails there.
if ('missing' in chromium && process.env.E2E_REQUIRE_CHROMIUM === '1') throw new Error(chromium.missing);
if ('missing' in chromium) console.warn(`[console e2e] skipped: ${chromium.missing}`);

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function stale(): boolean {
  try {
    const built = statSync(join(DASHBOARD, 'dist/index.html')).mtimeMs;
    const sources = Math.max(
      newest(join(DASHBOARD, 'src')),
      statSync(join(DASHBOARD, 'index.html')).mtimeMs,
      statSync(join(DASHBOARD, 'vite.config.ts')).mtimeMs,
    );
    return sources > built;
  } catch {
    return true;
  }
}

/** Builds dashboard/dist when its sources are newer; one test file builds, the others wait for it. */
export async function buildConsole(): Promise<void> {
  while (stale()) {
    try {
      mkdirSync(LOCK);
    } catch {
      // Another file is building; a lock older than two minutes is left over from a killed run.
      if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })!.mtimeMs > 120_000)
        rmSync(LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    try {
      if (stale()) await build({ configFile: join(DASHBOARD, 'vite.config.ts'), logLevel: 'warn' });
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}

export interface Console {
  gw: TestGateway;
  seeded: Seeded;
  browser: Browser;
  page: Page;
  /** Signs in with `key` (default the admin key) on a fresh page. */
  signIn(key?: string): Promise<void>;
  /** Opens a view from the navigation and waits for it to load. */
  view(label: string): Promise<void>;
  /**
   * Checks the page as it stands with axe (serious or critical findings fail the test), then keeps
   * a full-page screenshot under test-artifacts/screenshots/console-<name>.png (not committed).
   */
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Builds the page, starts a seeded gateway and a browser page. */
export async function startConsole(env: Record<string, string> = {}): Promise<Console> {
  await buildConsole();
  const gw = await startTestGateway({
    ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1',
    HEALTH_SCHEDULE: 'off',
    ...env,
  });
  const seeded = await seedDashboard(gw, Date.now());
  const browser = await launchChromium((chromium as { path: string }).path);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gw.url });
  const page = await context.newPage();
  // A missing element fails fast with the locator in the message, inside the test's own timeout.
  page.setDefaultTimeout(8_000);
  page.on('pageerror', (error) => console.error(`[console page] ${error.message}`));
  const c: Console = {
    gw,
    seeded,
    browser,
    page,
    async signIn(key = gw.adminKey) {
      await page.goto(gw.url);
      await page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.clear());
      await page.goto(gw.url);
      await page.getByLabel('API key').fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Views' }).waitFor();
      await page.locator('main[aria-busy]').waitFor({ state: 'detached' });
    },
    async view(label) {
      await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: label }).click();
      await expect.poll(() => page.getByRole('heading', { level: 2, name: label }).count()).toBe(1);
      await page.locator('main[aria-busy]').waitFor({ state: 'detached' });
    },
    async shot(name) {
      await expectAccessible(page);
      await screenshot(page, `console-${name}`);
    },
    async close() {
      await browser.close();
      await gw.stop();
      await seeded.close();
    },
  };
  return c;
}

/** A dialog by its title. */
export const dialog = (page: Page, title: string) => page.getByRole('dialog', { name: title });

/** What the tests read of the page's globals (typed here without the DOM library). */
export interface PageGlobals {
  localStorage: { length: number };
  sessionStorage: { length: number; clear(): void };
  document: { cookie: string; activeElement: { id: string } | null };
  location: { href: string };
  navigator: { clipboard: { readText(): Promise<string> } };
}

/** What the page keeps where it could outlive a request: storage sizes, cookies and its URL. */
export function keptByPage(page: Page) {
  return page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    return {
      local: g.localStorage.length,
      session: g.sessionStorage.length,
      cookie: g.document.cookie,
      url: g.location.href,
    };
  });
}

/**
 * Registers a file's set-up: a seeded gateway, a browser and a signed-in admin page before its
 * tests (`prepare` runs before signing in), all closed after them. Returns the console's getter.
 */
export function useConsole(
  env: Record<string, string> = {},
  prepare?: (c: Console) => Promise<void>,
): () => Console {
  let c: Console | undefined;
  beforeAll(async () => {
    c = await startConsole(env);
    await prepare?.(c);
    await c.signIn();
  }, 120_000);
  afterAll(async () => {
    await c?.close();
  });
  return () => c!;
}
