import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { findChromium, launchChromium } from './browser.js';
import { buildConsole, keptByPage } from './console.js';
import { type Seeded, seedDashboard } from './seed.js';

const found = findChromium();
// CI sets E2E_REQUIRE_CHROMIUM=1 after scripts/ensure-chromium.sh: a missing browser fails there.
if ('missing' in found && process.env.E2E_REQUIRE_CHROMIUM === '1') throw new Error(found.missing);
if ('missing' in found) console.warn(`[dashboard e2e] skipped: ${found.missing}`);
const ARTIFACTS = fileURLToPath(new URL('../artifacts/dashboard/', import.meta.url));
const usd = (n: number) => `$${n.toFixed(2)}`;

let gw: TestGateway;
let seeded: Seeded;
let browser: Browser;
let page: Page;

const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
const view = async (label: string) => {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: label }).click();
  await expect.poll(() => page.getByRole('heading', { level: 2, name: label }).count()).toBe(1);
  await page.locator('main[aria-busy]').waitFor({ state: 'detached' });
};

describe.skipIf('missing' in found)('dashboard: an operator in a real browser', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await buildConsole();
    gw = await startTestGateway({ ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1', HEALTH_SCHEDULE: 'off' });
    seeded = await seedDashboard(gw, Date.now());
    browser = await launchChromium((found as { path: string }).path);
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await seeded?.close();
  });

  it('refuses a wrong key, then signs in with the admin key kept in session storage only', async () => {
    await page.goto(gw.url);
    await page.getByLabel('API key').fill('gk_not_a_real_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not accepted');
    await shot('login');

    await page.getByLabel('API key').fill(gw.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    const stored = await keptByPage(page);
    expect(stored).toEqual({ local: 0, session: 1, cookie: '', url: `${gw.url}/` });
  });

  it("lists the seeded providers with their health, and each one's check timeline", async () => {
    await page.locator('main[aria-busy]').waitFor({ state: 'detached' });
    const summary = (await gw.call('GET', '/api/health/summary')).json;
    const rows = page.getByRole('table').getByRole('row');
    for (const p of seeded.providers) {
      const health = summary.providers.find(
        (s: { provider_id: string }) => s.provider_id === p.id,
      ).health_status;
      await expect.poll(() => rows.filter({ hasText: p.name }).count()).toBe(1);
      expect(await rows.filter({ hasText: p.name }).textContent()).toContain(health);
    }
    expect(summary.providers[0].health_status).toBe('healthy');
    const totals = await page.getByRole('list', { name: 'Health totals' }).textContent();
    expect(totals).toContain(`${summary.totals.open_incidents} open incidents`);
    await shot('providers');

    await view('Health timeline');
    const checks = seeded.checksPerProvider;
    expect(
      await page.getByRole('list', { name: `Seed OpenAI: ${checks} checks in 24 hours, 0 failed` }).count(),
    ).toBe(1);
    const failed = checks - seeded.flakyOk;
    const anthropic = page.getByRole('list', {
      name: `Seed Anthropic: ${checks} checks in 24 hours, ${failed} failed`,
    });
    expect(await anthropic.locator('.tick-error').count()).toBe(failed);
    await shot('health');
  });

  it('resolves the open incident', async () => {
    await view('Incidents');
    const row = page.getByRole('row').filter({ hasText: seeded.incidentTitle });
    expect(await row.textContent()).toContain('open');
    await shot('incidents-open');
    await page.getByRole('button', { name: `Resolve ${seeded.incidentTitle}` }).click();
    await expect.poll(() => row.getByText('resolved', { exact: true }).count()).toBe(1);
    expect(await row.getByRole('button', { name: /^(Acknowledge|Resolve) / }).count()).toBe(0);
    const api = await gw.call('GET', `/api/incidents/${seeded.incidentId}`);
    expect(api.json.status).toBe('resolved');
    await shot('incidents-resolved');
  });

  it('charts usage and cost with the seeded totals, by provider and by model', async () => {
    await view('Usage & cost');
    const totals = (await page.getByRole('list', { name: 'Usage totals' }).textContent()) ?? '';
    expect(totals).toContain(`${seeded.totalRequests} requests`);
    expect(totals).toContain(`${usd(seeded.totalCostUsd)} cost`);
    expect(await page.locator('.chart canvas').count()).toBe(1);
    const legend = (await page.locator('.u-legend').textContent()) ?? '';
    for (const p of seeded.providers) expect(legend).toContain(p.name);
    const byProvider = page.getByRole('table', { name: 'Totals by provider' });
    expect(await byProvider.getByRole('row').filter({ hasText: 'Seed OpenAI' }).textContent()).toContain(
      '$3.60',
    );
    expect(await byProvider.getByRole('row').filter({ hasText: 'Seed Anthropic' }).textContent()).toContain(
      '$1.80',
    );
    await shot('usage');
    await page.getByLabel('Group by').focus();
    await page.getByLabel('Group by').selectOption('model');
    const byModel = page.getByRole('table', { name: 'Totals by model' });
    await byModel.waitFor();
    expect(await page.locator('#usage-group:focus').count(), 'focus stays on the control').toBe(1);
    expect(await byModel.getByRole('row').filter({ hasText: 'gpt-4o' }).textContent()).toContain('$3.60');
    expect(await byModel.getByRole('row').filter({ hasText: 'claude-sonnet' }).textContent()).toContain(
      '$1.80',
    );
    await shot('usage-by-model');
  });

  it('shows quota gauges with soft and hard marks, and the routing rules', async () => {
    await view('Quotas');
    const meter = page.getByRole('meter');
    expect(await meter.getAttribute('aria-valuenow')).toBe('36');
    expect(await page.locator('main').textContent()).toContain('$3.60 of $10.00');
    await shot('quotas');
    await view('Routing rules');
    expect(
      await page.getByRole('row').filter({ hasText: 'gpt-4o with Claude fallback' }).textContent(),
    ).toContain('Seed Anthropic → claude-sonnet');
    await shot('routing');
  });

  it('shows the audit log, or says it is not available when the gateway answers 404', async () => {
    await view('Audit log');
    const audit = await gw.call('GET', '/api/audit');
    if (audit.status === 404) expect(await page.locator('main').textContent()).toContain('not available');
    else {
      expect(audit.status).toBe(200);
      const rows = page.getByRole('table').getByRole('row');
      await expect.poll(() => rows.filter({ hasText: 'incident.resolved' }).count()).toBe(1);
    }
    await shot('audit');
    // A gateway built before the audit endpoint: the route is missing.
    await page.route('**/api/audit?*', (route) =>
      route.fulfill({
        status: 404,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'route_not_found', message: 'No such route.' } }),
      }),
    );
    await view('Routing rules');
    await view('Audit log');
    expect(await page.locator('main').textContent()).toContain(
      'The audit log is not available on this gateway',
    );
    await shot('audit-unavailable');
    await page.unroute('**/api/audit?*');
  });

  it('forgets the key on sign out, and works from the keyboard alone', async () => {
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).click();
    const key = page.getByLabel('API key');
    expect(await key.count()).toBe(1);
    expect(await page.locator('#api-key:focus').count(), 'the key field has focus').toBe(1);
    await page.keyboard.type(gw.adminKey);
    await page.keyboard.press('Enter');
    const quotas = page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Quotas' });
    await quotas.focus();
    await page.keyboard.press('Enter');
    expect(await quotas.getAttribute('aria-current')).toBe('page');
    await page.getByRole('meter').waitFor();
  });
});
