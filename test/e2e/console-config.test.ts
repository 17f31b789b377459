import type { Locator } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { type Console, chromium, dialog, useConsole } from './console.js';

let c: Console;

/** The error text a control is described by (its help and its error slot). */
async function describedError(control: Locator): Promise<string> {
  const ids = ((await control.getAttribute('aria-describedby')) ?? '').split(' ');
  const errorId = ids.find((id) => id.endsWith('-error'));
  return (await c.page.locator(`[id="${errorId}"]`).textContent()) ?? '';
}

describe.skipIf('missing' in chromium)('console: providers, credentials, routing rules and quotas', () => {
  const get = useConsole();
  beforeEach(() => {
    c = get();
  });

  it('adds a provider, edits it, prices a model and tests the connection', async () => {
    const { page, gw, seeded } = c;
    await page.getByRole('button', { name: 'Add provider' }).click();
    const add = dialog(page, 'Add a provider');
    await add.getByLabel('Name').fill('Console Cohere');
    await add.getByLabel('Type').selectOption('cohere');
    await add.getByLabel('Base URL').fill('https://api.cohere.example/v2');
    await add.getByRole('button', { name: 'Add provider' }).click();
    await add.waitFor({ state: 'detached' });
    const listed = (await gw.call('GET', '/api/providers')).json.data;
    const made = listed.find((p: { name: string }) => p.name === 'Console Cohere');
    expect(made).toMatchObject({ provider_type: 'cohere', base_url: 'https://api.cohere.example/v2' });

    await page.getByRole('button', { name: 'Edit Console Cohere' }).click();
    const edit = dialog(page, 'Edit provider Console Cohere');
    await edit.getByLabel('Priority (lower is tried first)').fill('7');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    expect((await gw.call('GET', `/api/providers/${made.id}`)).json.priority).toBe(7);

    await page.getByRole('button', { name: 'Models and prices of Console Cohere' }).click();
    const models = dialog(page, 'Models and prices of Console Cohere');
    await models.getByLabel('Model id').fill('command-r');
    await models.getByLabel('Input price, USD per 1M tokens').fill('0.5');
    await models.getByLabel('Output price, USD per 1M tokens').fill('1.5');
    await models.getByRole('button', { name: 'Save model' }).click();
    await models.getByRole('row').filter({ hasText: 'command-r' }).waitFor();
    expect(await models.getByRole('row').filter({ hasText: 'command-r' }).textContent()).toContain('$1.50');
    const model = (await gw.call('GET', `/api/providers/models?provider_id=${made.id}`)).json.data[0];
    expect(model.pricing).toMatchObject({ input_per_1m: 0.5, output_per_1m: 1.5 });
    await c.shot('provider-models');
    await models.getByRole('button', { name: 'Close' }).click();

    const openai = seeded.providers[0]!;
    await page.getByRole('button', { name: `Test connection to ${openai.name}` }).click();
    await expect.poll(() => page.locator('#provider-status').textContent()).toContain('connection OK');
    const history = (await gw.call('GET', `/api/providers/${openai.id}/health-history?limit=100`)).json.data;
    expect(history.length).toBe(seeded.checksPerProvider + 1);
    await c.shot('providers-write');
  });

  it('deletes a provider after confirming, and shows the API refusal for one a routing rule names', async () => {
    const { page, gw } = c;
    const made = await gw.call('POST', '/api/providers', {
      body: { name: 'Doomed Cohere', provider_type: 'cohere', service_types: ['llm'] },
    });
    const named = await gw.call('POST', '/api/providers', {
      body: { name: 'Routed Cohere', provider_type: 'cohere', service_types: ['llm'] },
    });
    const rule = await gw.call('POST', '/api/providers/routing-rules', {
      body: {
        rule_name: 'keeps Routed Cohere',
        rule_type: 'primary_fallback',
        service_type: 'llm',
        model_pattern: 'routed-*',
        provider_ids: [named.json.id],
      },
    });
    expect(rule.status).toBe(201);
    await c.view('Audit log');
    await c.view('Providers');

    await page.getByRole('button', { name: 'Delete provider Doomed Cohere' }).click();
    const confirm = dialog(page, 'Delete provider Doomed Cohere');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect((await gw.call('GET', `/api/providers/${made.json.id}`)).status).toBe(404);
    await expect
      .poll(() => page.getByRole('button', { name: 'Delete provider Doomed Cohere' }).count())
      .toBe(0);

    await page.getByRole('button', { name: 'Delete provider Routed Cohere' }).click();
    const refused = dialog(page, 'Delete provider Routed Cohere');
    await refused.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => refused.getByRole('alert').textContent()).toMatch(/409/);
    expect((await gw.call('GET', `/api/providers/${named.json.id}`)).status).toBe(200);
    await page.keyboard.press('Escape');
  });

  it('deletes a model from the catalog and a quota, each after confirming', async () => {
    const { page, gw } = c;
    const prov = await gw.call('POST', '/api/providers', {
      body: { name: 'Catalog Cohere', provider_type: 'cohere', service_types: ['llm'] },
    });
    await gw.call('POST', `/api/providers/${prov.json.id}/models`, {
      body: { model_id: 'command-old', model_type: 'llm' },
    });
    const quota = await gw.call('POST', '/api/quotas', {
      body: {
        provider_id: prov.json.id,
        scope: 'provider',
        quota_type: 'daily_requests',
        limit_value: 10,
        action_on_exceed: 'block',
      },
    });
    expect(quota.status).toBe(201);
    await c.view('Audit log');
    await c.view('Providers');

    await page.getByRole('button', { name: 'Models and prices of Catalog Cohere' }).click();
    const models = dialog(page, 'Models and prices of Catalog Cohere');
    await models.getByRole('button', { name: 'Delete model command-old' }).click();
    await dialog(page, 'Delete model command-old').getByRole('button', { name: 'Delete' }).click();
    await expect
      .poll(async () => (await gw.call('GET', `/api/providers/models?provider_id=${prov.json.id}`)).json.data)
      .toEqual([]);
    await expect.poll(() => models.getByText('No models in this provider’s catalog yet.').count()).toBe(1);
    await models.getByRole('button', { name: 'Close' }).click();

    await c.view('Quotas');
    await page.getByRole('button', { name: /^Delete quota Catalog Cohere/ }).click();
    await page
      .getByRole('dialog', { name: /^Delete quota Catalog Cohere/ })
      .getByRole('button', { name: 'Delete' })
      .click();
    await expect.poll(async () => (await gw.call('GET', `/api/quotas/${quota.json.id}`)).status).toBe(404);
    await c.view('Providers');
  });

  it('adds, rotates and revokes a credential; its value is never shown back', async () => {
    const { page, gw, seeded } = c;
    const openai = seeded.providers[0]!;
    const value = 'test-value-for-console-0001';
    await page.getByRole('button', { name: `Credentials of ${openai.name}` }).click();
    const creds = dialog(page, `Credentials of ${openai.name}`);
    await creds.getByLabel('Credential name').fill('primary');
    expect(await creds.getByLabel('Value').getAttribute('type')).toBe('password');
    await creds.getByLabel('Value').fill(value);
    await creds.getByRole('button', { name: 'Add credential' }).click();
    const row = creds.getByRole('row').filter({ hasText: 'primary' });
    await row.waitFor();
    expect(await row.textContent()).toContain('…0001');
    expect(await page.content()).not.toContain(value);
    const credential = async () =>
      (await gw.call('GET', `/api/providers/${openai.id}/credentials`)).json.data[0];
    const stored = await credential();
    expect(stored).toMatchObject({ name: 'primary', status: 'active', version: 1 });

    await creds.getByRole('button', { name: 'Rotate primary' }).click();
    const rotate = dialog(page, 'Rotate credential primary');
    await rotate.getByLabel('New value').fill('test-value-for-console-0002');
    await rotate.getByRole('button', { name: 'Rotate' }).click();
    await expect.poll(() => row.textContent()).toContain('…0002');
    expect((await credential()).version).toBe(2);
    await c.shot('credentials');

    await creds.getByRole('button', { name: 'Revoke primary' }).click();
    await dialog(page, 'Revoke primary').getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => row.textContent()).toContain('revoked');
    expect((await credential()).status).toBe('revoked');
    await creds.getByRole('button', { name: 'Close' }).click();
  });

  it('adds a weighted rule as a form, showing the API’s refusals beside the fields', async () => {
    const { page, gw, seeded } = c;
    await c.view('Routing rules');
    await page.getByRole('button', { name: 'Add rule' }).click();
    const form = dialog(page, 'Add a routing rule');
    await form.getByLabel('Rule name').fill('Split gpt-4o');
    await form.getByLabel('Rule type').selectOption('weighted');
    await form.getByLabel('Model pattern').fill('gpt-4o*');
    await form.getByLabel('Target 1 provider').selectOption(seeded.providers[0]!.id);
    await form.getByLabel('Target 1 weight').fill('-1');
    await form.getByRole('button', { name: 'Add target' }).click();
    await form.getByLabel('Target 2 provider').selectOption(seeded.providers[1]!.id);
    await form.getByLabel('Target 2 model (empty: as requested)').fill('claude-sonnet');
    await form.getByLabel('Target 2 weight').fill('1');
    await form.getByLabel('First backoff (ms)').fill('900');
    await form.getByLabel('Longest backoff (ms)').fill('100');
    await form.getByRole('button', { name: 'Add rule' }).click();

    const weight = form.getByLabel('Target 1 weight');
    await expect.poll(() => weight.getAttribute('aria-invalid')).toBe('true');
    expect(await describedError(weight)).toMatch(/>=\s*0/);
    const retry = form.getByRole('group', { name: 'Retry policy' });
    expect(await retry.getAttribute('aria-invalid')).toBe('true');
    expect(await retry.textContent()).toContain('backoff_max_ms must be at least backoff_base_ms');
    expect(await form.getByRole('alert').first().textContent()).toContain('422');
    await c.shot('routing-validation');

    await weight.fill('3');
    await form.getByLabel('Longest backoff (ms)').fill('2000');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await form.waitFor({ state: 'detached' });
    const rules = (await gw.call('GET', '/api/providers/routing-rules')).json.data;
    const rule = rules.find((r: { rule_name: string }) => r.rule_name === 'Split gpt-4o');
    expect(rule).toMatchObject({
      rule_type: 'weighted',
      model_pattern: 'gpt-4o*',
      targets: [
        { provider_id: seeded.providers[0]!.id, model: null, weight: 3 },
        { provider_id: seeded.providers[1]!.id, model: 'claude-sonnet', weight: 1 },
      ],
      retry_policy: { backoff_base_ms: 900, backoff_max_ms: 2000 },
    });

    await page.getByRole('button', { name: 'Edit Split gpt-4o' }).click();
    const edit = dialog(page, 'Edit rule Split gpt-4o');
    await edit.getByRole('button', { name: 'Remove target 1' }).click();
    await edit.getByLabel('Attempts at most').fill('2');
    await edit.getByRole('button', { name: 'Save rule' }).click();
    await edit.waitFor({ state: 'detached' });
    const after = (await gw.call('GET', `/api/providers/routing-rules/${rule.id}`)).json;
    expect(after.targets).toEqual([
      { provider_id: seeded.providers[1]!.id, model: 'claude-sonnet', weight: 1 },
    ]);
    expect(after.retry_policy.max_attempts).toBe(2);
    await c.shot('routing-write');
  });

  it('adds a team budget, edits the limit and shows spend against it with the reset time', async () => {
    const { page, gw } = c;
    const team = (await gw.call('POST', '/api/teams', { body: { name: 'Budget team' } })).json;
    await c.view('Quotas');
    await page.getByRole('button', { name: 'Add quota' }).click();
    const add = dialog(page, 'Add a quota or budget');
    await add.getByLabel('Counts').selectOption('team');
    await add.getByLabel('Team', { exact: true }).selectOption(team.id);
    await add.getByLabel('Window and measure').selectOption('daily_cost');
    await add.getByLabel(/^Limit/).fill('25');
    await add.getByRole('button', { name: 'Add quota' }).click();
    await add.waitFor({ state: 'detached' });
    const quota = (await gw.call('GET', '/api/quotas')).json.data.find(
      (q: { team_id?: string }) => q.team_id === team.id,
    );
    expect(quota).toMatchObject({ scope: 'team', quota_type: 'daily_cost', limit_value: 25 });

    const title = 'Team Budget team — daily cost';
    await page.getByRole('button', { name: `Edit quota ${title}` }).click();
    const edit = dialog(page, 'Edit quota');
    await edit.getByLabel(/^Limit/).fill('40');
    await edit.getByRole('button', { name: 'Save quota' }).click();
    await edit.waitFor({ state: 'detached' });
    const status = (await gw.call('GET', `/api/quotas/${quota.id}/status`)).json;
    expect(status.limit).toBe(40);
    const item = page.getByRole('listitem').filter({ hasText: title });
    await expect.poll(() => item.textContent()).toContain('$0.00 of $40.00');
    expect(await item.textContent()).toContain('resets');
    expect(await item.getByRole('meter').getAttribute('aria-valuenow')).toBe('0');
    await c.shot('quotas-write');
  });
});
