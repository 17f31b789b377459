/**
 * Accessibility and screenshot helpers for the browser tests. `expectAccessible` runs axe-core
 * (through @axe-core/playwright, bundled: no network) on the page as it stands and fails on
 * serious or critical violations; `screenshot` keeps a PNG of each view as a test artifact.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/** Where screenshots land: git-ignored, kept by CI as artifacts, never committed. */
export const SCREENSHOTS = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));

/** Impacts that fail a test; minor and moderate findings are reported by axe but tolerated. */
const FAILING = new Set(['serious', 'critical']);

/** One axe finding in a form that reads well in a failed assertion. */
export interface Violation {
  rule: string;
  impact: string;
  help: string;
  /** CSS selectors of the offending elements (at most five). */
  targets: string[];
}

/**
 * Serious and critical WCAG 2.x A/AA violations on the page now, or within `selector` when given.
 * Rejects only when axe itself cannot run (page closed, navigation mid-check).
 */
export async function accessibilityViolations(page: Page, selector?: string): Promise<Violation[]> {
  // Legacy mode runs axe.run() in the page itself: the default opens a helper page in the
  // page's context, which a `browser.newPage()` page (as the dashboard test uses) does not allow.
  // The console has no cross-origin frames, the one thing legacy mode skips.
  let builder = new AxeBuilder({ page })
    .setLegacyMode(true)
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  if (selector) builder = builder.include(selector);
  const result = await builder.analyze();
  return result.violations
    .filter((v) => FAILING.has(v.impact ?? ''))
    .map((v) => ({
      rule: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
}

/**
 * Fails (throws an Error listing each rule, its impact and the elements) when the page, or the
 * part under `selector`, has serious or critical accessibility violations: unlabelled controls,
 * missing names on buttons, contrast too low, invalid ARIA and the like. Call it after the view
 * has rendered its data (an empty table hides what a full one gets wrong).
 */
export async function expectAccessible(page: Page, selector?: string): Promise<void> {
  const found = await accessibilityViolations(page, selector);
  if (found.length === 0) return;
  const lines = found.map((v) => `- ${v.rule} (${v.impact}): ${v.help} — ${v.targets.join(', ')}`);
  throw new Error(`${found.length} accessibility violation(s) on ${page.url()}:\n${lines.join('\n')}`);
}

/**
 * Writes a full-page PNG to `test-artifacts/screenshots/<name>.png` (folder made when missing)
 * and returns its path. `name` is a file stem: letters, digits, `-` and `_` only.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  if (!/^[\w-]+$/.test(name)) throw new Error(`screenshot name must be a plain file stem, got ${name}`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = `${SCREENSHOTS}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}
