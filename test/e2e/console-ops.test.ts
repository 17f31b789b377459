import { readFileSync } from 'node:fs';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { chatStreamEvents, createOpenAIFake } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/server.js';
import { seedProvider } from '../support/runtime.js';
import { type Console, chromium, dialog, useConsole } from './console.js';

let c: Console;
let upstream: FakeUpstream;
let providerId: string;
const MODEL = 'gpt-console';

describe.skipIf('missing' in chromium)('console: incidents, request logs, usage and the playground', () => {
  const get = useConsole({ LOG_PAYLOADS: 'on' }, async (started) => {
    upstream = createOpenAIFake();
    const origin = await upstream.start();
    providerId = await seedProvider(
      started.gw,
      { name: 'Stream OpenAI', provider_type: 'openai', service_types: ['llm'], base_url: `${origin}/v1` },
      { apiKey: 'fake-upstream-key-0001', models: [{ model_id: MODEL, model_type: 'llm' }] },
    );
  });
  beforeEach(() => {
    c = get();
  });
  afterAll(async () => {
    await upstream?.stop();
  });

  it('acknowledges an incident, adds a note and resolves it', async () => {
    const { page, gw, seeded } = c;
    const title = seeded.incidentTitle;
    await c.view('Incidents');
    await page.getByRole('button', { name: `Acknowledge ${title}` }).click();
    const row = page.getByRole('row').filter({ hasText: title });
    await expect.poll(() => row.getByText('acknowledged', { exact: true }).count()).toBe(1);
    await page.getByRole('button', { name: `Notes on ${title}` }).click();
    const notes = dialog(page, `Notes on ${title}`);
    await notes.getByLabel('Note', { exact: true }).fill('Failover to Claude holds; waiting on the vendor.');
    await notes.getByRole('button', { name: 'Add note' }).click();
    await notes.waitFor({ state: 'detached' });
    await c.shot('incident-notes');
    await page.getByRole('button', { name: `Resolve ${title}` }).click();
    await expect.poll(() => row.getByText('resolved', { exact: true }).count()).toBe(1);
    const incident = (await gw.call('GET', `/api/incidents/${seeded.incidentId}`)).json;
    expect(incident.status).toBe('resolved');
    expect(incident.acknowledged_at).not.toBeNull();
    expect(incident.timeline.map((t: { note: string | null }) => t.note)).toContain(
      'Failover to Claude holds; waiting on the vendor.',
    );
  });

  it('streams a chat in the playground: the answer grows as the chunks arrive', async () => {
    const { page } = c;
    const message = 'one two three four five six';
    upstream.script('POST /v1/chat/completions', {
      kind: 'sse',
      events: chatStreamEvents({ model: MODEL, messages: [{ role: 'user', content: message }] }),
      gapMs: 250,
    });
    await c.view('Playground');
    await page.getByLabel('Model').selectOption(MODEL);
    await page.getByLabel('Message').fill(message);
    await page.getByRole('button', { name: 'Send' }).click();
    const answer = page.locator('#playground-answer');
    // Part of the answer is on screen while the stream is still running.
    await expect.poll(() => answer.textContent(), { interval: 50, timeout: 5000 }).toMatch(/^echo: /);
    expect(await page.locator('#playground-state').textContent()).toBe('Streaming…');
    expect(await answer.textContent()).not.toContain('six');
    await expect
      .poll(() => page.locator('#playground-state').textContent(), { timeout: 5000 })
      .toContain('Done');
    expect(await answer.textContent()).toBe(`echo: ${message}`);
    expect(upstream.to('/v1/chat/completions').at(-1)?.json).toMatchObject({ model: MODEL, stream: true });
    await c.shot('playground');
  });

  it('filters the request log and opens one request with its attempts, timings and bodies', async () => {
    const { page, gw } = c;
    const done = await gw.call('POST', '/v1/chat/completions', {
      body: { model: MODEL, messages: [{ role: 'user', content: 'logged question' }] },
    });
    expect(done.status).toBe(200);
    await gw.runtime.streams?.idle();
    await c.view('Request logs');
    await page.getByLabel('Provider').selectOption(providerId);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const rows = page.getByRole('table', { name: /request\(s\)/ }).getByRole('row');
    await expect.poll(() => rows.count()).toBe(3);
    const api = (await gw.call('GET', `/api/logs?provider_id=${providerId}`)).json.data;
    expect(api).toHaveLength(2);
    expect(await page.getByLabel('Provider').inputValue()).toBe(providerId);
    await c.shot('logs');

    const id = api[0].request_id;
    await page.getByRole('button', { name: `Details of request ${id}` }).click();
    const drawer = dialog(page, `Request ${id}`);
    await drawer.getByRole('table', { name: '1 attempt(s)' }).waitFor();
    expect(await drawer.getByRole('table').textContent()).toContain('Stream OpenAI');
    expect(await drawer.textContent()).toContain('upstream');
    expect(await drawer.getByRole('region', { name: 'Request body' }).textContent()).toContain(
      'logged question',
    );
    await c.shot('logs-drawer');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    expect(
      await page.evaluate(() =>
        (
          globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string } } }
        ).document.activeElement.getAttribute('aria-label'),
      ),
      'focus returns to the button that opened the drawer',
    ).toBe(`Details of request ${id}`);
  });

  it('shows the request log past its first page, one "Show more" at a time, until the API has no more', async () => {
    const { page, gw } = c;
    const calls = await Promise.all(
      Array.from({ length: 55 }, (_, i) =>
        gw.call('POST', '/v1/chat/completions', {
          body: { model: MODEL, messages: [{ role: 'user', content: `page question ${i}` }] },
        }),
      ),
    );
    expect(calls.every((r) => r.status === 200)).toBe(true);
    await gw.runtime.idle();
    // Every record of the provider, as the API lists them page by page.
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const listed = (await gw.call('GET', `/api/logs?provider_id=${providerId}&limit=50${query}`)).json;
      all.push(...listed.data.map((l: { request_id: string }) => l.request_id));
      cursor = listed.next_cursor;
    } while (cursor);
    expect(all.length).toBeGreaterThan(55);

    await c.view('Request logs');
    await page.getByLabel('Provider').selectOption(providerId);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const shown = page.getByRole('table', { name: /request\(s\)/ });
    await shown.waitFor();
    const more = page.getByRole('button', { name: 'Show more' });
    expect(await shown.getByRole('row').count()).toBeLessThanOrEqual(51);
    expect(await more.count()).toBe(1);
    for (let clicks = 0; (await more.count()) > 0 && clicks < 20; clicks++) {
      await more.click();
      await expect.poll(() => page.locator('button[aria-busy]').count()).toBe(0);
    }
    expect(await more.count()).toBe(0);
    await expect.poll(() => shown.getByRole('row').count()).toBe(all.length + 1);
    expect(await shown.locator('caption').textContent()).toBe(`${all.length} request(s), newest first`);
    for (const id of [all[0], all[all.length - 1]]) {
      expect(await page.getByRole('button', { name: `Details of request ${id}` }).count()).toBe(1);
    }
    await c.shot('logs-paged');
  });

  it('shows usage by team and key with cache savings, and downloads the same CSV the API gives', async () => {
    const { page, gw } = c;
    await c.view('Usage & cost');
    expect(await page.getByRole('list', { name: 'Usage totals' }).textContent()).toContain(
      'saved by the cache',
    );
    await page.getByLabel('Group by').selectOption('api_key');
    const byKey = page.getByRole('table', { name: 'Totals by api key' });
    await byKey.waitFor();
    expect(await byKey.getByRole('row').filter({ hasText: 'key_seed' }).count()).toBe(1);
    await page.getByLabel('Group by').selectOption('team');
    await page.getByRole('table', { name: 'Totals by team' }).waitFor();
    await c.shot('usage-by-team');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(download.suggestedFilename()).toMatch(/^usage-.*\.csv$/);
    expect(csv.split('\n')[0]).toContain('period');
    // The same report the API gives for the same range (a click and this call fall in the same hour).
    const start = new Date(Date.now() - 86_400_000).toISOString();
    const direct = await gw.call('GET', `/api/usage?granularity=hour&group_by=team&start_date=${start}`, {
      headers: { accept: 'text/csv' },
    });
    expect(direct.headers.get('content-type')).toContain('text/csv');
    expect(csv).toBe(direct.text);
  });
});
