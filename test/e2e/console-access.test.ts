import { beforeEach, describe, expect, it } from 'vitest';
import { type Console, chromium, dialog, keptByPage, type PageGlobals, useConsole } from './console.js';

let c: Console;

describe.skipIf('missing' in chromium)('console: API keys, teams and what each key sees', () => {
  const get = useConsole();
  beforeEach(() => {
    c = get();
  });

  it('creates a team, then a key in it whose secret is shown once, copies and authenticates', async () => {
    const { page, gw } = c;
    await c.view('API keys & teams');
    await page.getByRole('button', { name: 'Create team' }).click();
    const teamDialog = dialog(page, 'Create a team');
    await teamDialog.getByLabel('Team name').fill('Search team');
    await teamDialog.getByRole('button', { name: 'Create team' }).click();
    await teamDialog.waitFor({ state: 'detached' });
    const teams = (await gw.call('GET', '/api/teams')).json.data;
    const team = teams.find((t: { name: string }) => t.name === 'Search team');
    expect(team).toBeTruthy();

    await page.locator('main[aria-busy]').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Create key' }).click();
    const create = dialog(page, 'Create an API key');
    expect(
      await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.id),
    ).toContain('name');
    await create.getByLabel('Name', { exact: true }).fill('ci-bot');
    await create.getByLabel('Role').selectOption('invoke');
    await create.getByLabel('Team').selectOption(team.id);
    await create.getByRole('button', { name: 'Create key' }).click();
    const shown = dialog(page, 'Key “ci-bot” created');
    const secret = await shown.getByLabel('New secret').inputValue();
    expect(secret).toMatch(/^gk_/);
    expect(await shown.textContent()).toContain('shown this once');
    await shown.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => shown.getByRole('status').textContent()).toContain('Copied');
    expect(
      await page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.clipboard.readText()),
    ).toBe(secret);
    await c.shot('keys-secret-once');

    const keys = (await gw.call('GET', '/api/keys')).json.data;
    const made = keys.find((k: { name: string }) => k.name === 'ci-bot');
    expect(made).toMatchObject({ role: 'invoke', team_id: team.id, status: 'active' });
    expect((await gw.call('GET', '/v1/models', { key: secret })).status).toBe(200);

    await page.keyboard.press('Escape');
    await shown.waitFor({ state: 'detached' });
    const row = page
      .getByRole('table', { name: /key\(s\)/ })
      .getByRole('row')
      .filter({ hasText: 'ci-bot' });
    await row.waitFor();
    expect(await row.textContent()).not.toContain(secret);
    expect(
      await page
        .getByRole('table', { name: /team\(s\)/ })
        .getByRole('row')
        .filter({ hasText: 'Search team' })
        .textContent(),
    ).toContain('ci-bot');
    await c.shot('keys');
  });

  it('rotates a key (the old secret stops) and revokes it', async () => {
    const { page, gw } = c;
    const made = await gw.call('POST', '/api/keys', { body: { name: 'rotate-me', role: 'invoke' } });
    const old = made.json.key;
    await c.view('Audit log');
    await c.view('API keys & teams');
    await page.getByRole('button', { name: 'Rotate rotate-me' }).click();
    const rotate = dialog(page, 'Rotate key “rotate-me”');
    await rotate.getByRole('button', { name: 'Rotate' }).click();
    const shown = dialog(page, 'Key “rotate-me” rotated');
    const fresh = await shown.getByLabel('New secret').inputValue();
    expect(fresh).not.toBe(old);
    expect(await shown.textContent()).toContain('old secret no longer works');
    expect((await gw.call('GET', '/v1/models', { key: old })).status).toBe(401);
    expect((await gw.call('GET', '/v1/models', { key: fresh })).status).toBe(200);
    await shown.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: 'Revoke rotate-me' }).click();
    await dialog(page, 'Revoke rotate-me').getByRole('button', { name: 'Revoke' }).click();
    const row = page
      .getByRole('table', { name: /key\(s\)/ })
      .getByRole('row')
      .filter({ hasText: 'rotate-me' });
    await expect.poll(() => row.getByText('revoked').count()).toBe(1);
    expect((await gw.call('GET', `/api/keys/${made.json.id}`)).json.status).toBe('revoked');
    expect((await gw.call('GET', '/v1/models', { key: fresh })).status).toBe(401);
  });

  it('edits a key: renames it, raises its limit, then clears it (an emptied field is no limit)', async () => {
    const { page, gw } = c;
    const made = await gw.call('POST', '/api/keys', {
      body: { name: 'limit-me', role: 'invoke', rate_limit_rpm: 5 },
    });
    await c.view('Audit log');
    await c.view('API keys & teams');
    await page.getByRole('button', { name: 'Edit limit-me' }).click();
    const edit = dialog(page, 'Edit limit-me');
    await edit.getByLabel('Name').fill('limit-me-too');
    await edit.getByLabel('Requests per minute (empty: no limit)').fill('30');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(async () => (await gw.call('GET', `/api/keys/${made.json.id}`)).json)
      .toMatchObject({ name: 'limit-me-too', rate_limit_rpm: 30, version: 2 });

    await page.getByRole('button', { name: 'Edit limit-me-too' }).click();
    const again = dialog(page, 'Edit limit-me-too');
    await again.getByLabel('Requests per minute (empty: no limit)').fill('');
    await again.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(async () => (await gw.call('GET', `/api/keys/${made.json.id}`)).json)
      .toMatchObject({ name: 'limit-me-too', rate_limit_rpm: null, version: 3 });
  });

  it('edits a team, refuses to delete one with active keys, and deletes an empty one', async () => {
    const { page, gw } = c;
    const busy = await gw.call('POST', '/api/teams', { body: { name: 'Busy team', rate_limit_rpm: 10 } });
    await gw.call('POST', '/api/keys', { body: { name: 'busy-key', role: 'invoke', team_id: busy.json.id } });
    const idle = await gw.call('POST', '/api/teams', { body: { name: 'Idle team' } });
    await c.view('Audit log');
    await c.view('API keys & teams');

    await page.getByRole('button', { name: 'Edit team Busy team' }).click();
    const edit = dialog(page, 'Edit team Busy team');
    await edit.getByLabel('Requests per minute for all its keys (empty: no limit)').fill('25');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(async () => (await gw.call('GET', `/api/teams/${busy.json.id}`)).json)
      .toMatchObject({ name: 'Busy team', rate_limit_rpm: 25, version: 2 });

    await page.getByRole('button', { name: 'Delete team Busy team' }).click();
    const refused = dialog(page, 'Delete team Busy team');
    await refused.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => refused.getByRole('alert').textContent()).toContain('team_has_keys');
    await page.keyboard.press('Escape');
    expect((await gw.call('GET', `/api/teams/${busy.json.id}`)).status).toBe(200);

    await page.getByRole('button', { name: 'Delete team Idle team' }).click();
    await dialog(page, 'Delete team Idle team').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(async () => (await gw.call('GET', `/api/teams/${idle.json.id}`)).status).toBe(404);
  });

  it('keeps the key in session storage only: a reload stays signed in, sign out forgets it', async () => {
    const { page, gw } = c;
    await page.reload();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    const stored = await keptByPage(page);
    expect(stored).toEqual({ local: 0, session: 1, cookie: '', url: `${gw.url}/` });
    expect(await page.locator('#whoami').textContent()).toContain('session');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.length)).toBe(0);
  });

  it('passes the axe check on every view and keeps a screenshot of each', async () => {
    const { page, gw, seeded } = c;
    await c.signIn();
    const labels = await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button')
      .allTextContents();
    expect(labels).toEqual([
      'Providers',
      'Health timeline',
      'Incidents',
      'Request logs',
      'Usage & cost',
      'Quotas',
      'Routing rules',
      'API keys & teams',
      'Audit log',
      'Playground',
    ]);
    for (const label of labels) {
      await c.view(label);
      await c.shot(`view-${label.toLowerCase().replace(/[^a-z]+/g, '-')}`);
    }
    // The circuit column shows what the providers API reports.
    await c.view('Providers');
    const circuit = (await gw.call('GET', `/api/providers/${seeded.providers[0]!.id}`)).json.circuit;
    expect(circuit.state).toBe('closed');
    const cells = await page
      .getByRole('row')
      .filter({ hasText: seeded.providers[0]!.name })
      .getByRole('cell')
      .allTextContents();
    expect(cells[4]).toBe('closed');
  }, 90_000);

  it('shows a viewer no write controls anywhere', async () => {
    const { page, gw } = c;
    const viewer = (await gw.call('POST', '/api/keys', { body: { name: 'console-viewer', role: 'viewer' } }))
      .json.key;
    await c.signIn(viewer);
    expect(await page.locator('#whoami').textContent()).toContain('console-viewer (viewer)');
    const labels = await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button')
      .allTextContents();
    expect(labels).not.toContain('API keys & teams');
    expect(labels).not.toContain('Playground');
    const writes = /^(Add|Create|Edit|Rotate|Revoke|Delete|Test|Acknowledge|Resolve|Save)/;
    for (const label of labels) {
      await c.view(label);
      const buttons = await page.locator('main').getByRole('button').allTextContents();
      expect(
        buttons.filter((b) => writes.test(b)),
        `${label} has no write controls`,
      ).toEqual([]);
    }
    await c.view('Incidents');
    const notes = page.getByRole('button', { name: /^Notes on / }).first();
    if ((await notes.count()) > 0) {
      await notes.click();
      expect(await page.getByRole('dialog').getByRole('button', { name: 'Add note' }).count()).toBe(0);
      await page.keyboard.press('Escape');
    }
    await c.view('Providers');
    await page
      .getByRole('button', { name: /^Models and prices of / })
      .first()
      .click();
    await page.getByRole('dialog').getByRole('table').waitFor();
    expect(await page.getByRole('dialog').getByRole('button', { name: 'Save model' }).count()).toBe(0);
    await c.shot('viewer-providers');
    await page.keyboard.press('Escape');
  });

  it('shows a key scoped to one provider only that provider, and an invoke key only the playground', async () => {
    const { page, gw, seeded } = c;
    const [openai, anthropic] = seeded.providers;
    const scoped = (
      await gw.call('POST', '/api/keys', {
        body: { name: 'console-scoped', role: 'operator', provider_ids: [openai!.id] },
      })
    ).json.key;
    await c.signIn(scoped);
    expect(await page.locator('#whoami').textContent()).toContain(`providers limited to ${openai!.id}`);
    const rows = page.getByRole('table').getByRole('row');
    expect(await rows.filter({ hasText: openai!.name }).count()).toBe(1);
    expect(await rows.filter({ hasText: anthropic!.name }).count()).toBe(0);
    expect(await page.getByRole('button', { name: `Edit ${openai!.name}` }).count()).toBe(1);
    await c.view('Usage & cost');
    const legend = (await page.locator('.u-legend').textContent()) ?? '';
    expect(legend).toContain(openai!.name);
    expect(legend).not.toContain(anthropic!.name);
    await c.view('Routing rules');
    expect(await page.locator('main').textContent()).not.toContain(anthropic!.name);
    await c.shot('scoped-routing');

    const invoke = (await gw.call('POST', '/api/keys', { body: { name: 'console-invoke', role: 'invoke' } }))
      .json.key;
    await c.signIn(invoke);
    expect(
      await page.getByRole('navigation', { name: 'Views' }).getByRole('button').allTextContents(),
    ).toEqual(['Playground']);
    await page.getByRole('heading', { level: 2, name: 'Playground' }).waitFor();
  });
});
