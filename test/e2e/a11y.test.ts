import { existsSync, rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, SCREENSHOTS, screenshot } from './a11y.js';
import { findChromium, launchChromium } from './browser.js';

const found = findChromium();
if ('missing' in found && process.env.E2E_REQUIRE_CHROMIUM === '1') throw new Error(found.missing);
if ('missing' in found) console.warn(`[a11y helpers] skipped: ${found.missing}`);

const LABELLED = `<!doctype html><html lang="en"><head><title>ok</title></head><body><main>
  <h1>Keys</h1><label for="n">Name</label><input id="n"><button type="button">Create key</button>
</main></body></html>`;
const UNLABELLED = `<!doctype html><html lang="en"><head><title>bad</title></head><body><main>
  <h1>Keys</h1><input id="n"><button type="button"></button>
</main></body></html>`;

describe.skipIf('missing' in found)('browser test helpers: accessibility and screenshots', () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    browser = await launchChromium((found as { path: string }).path);
    page = await browser.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('passes a page whose controls are labelled', async () => {
    await page.setContent(LABELLED);
    await expect(expectAccessible(page)).resolves.toBeUndefined();
  });

  it('fails on an unlabelled input and a nameless button, naming the rules and elements', async () => {
    await page.setContent(UNLABELLED);
    const failure = expectAccessible(page);
    await expect(failure).rejects.toThrow(/button-name \(critical\)/);
    await expect(expectAccessible(page)).rejects.toThrow(/label \(critical\).*#n/);
  });

  it('writes a screenshot under test-artifacts/screenshots and refuses path-like names', async () => {
    await page.setContent(LABELLED);
    const path = await screenshot(page, 'a11y-helper-selftest');
    expect(path.startsWith(SCREENSHOTS)).toBe(true);
    expect(existsSync(path)).toBe(true);
    rmSync(path);
    await expect(screenshot(page, '../escape')).rejects.toThrow('plain file stem');
  });
});
