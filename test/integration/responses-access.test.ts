/**
 * What `/v1/responses` refuses, and who may reach a stored response: 400s that name what the gateway
 * cannot serve, 404s for a `previous_response_id` that is unknown or another key's, stored responses
 * readable and deletable only by the key that created them, and what viewers and scoped keys can not do.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { mintKey } from './access-fixtures.js';
import { BEDROCK_MODEL, CLAUDE, useResponsesWorld, WEATHER } from './responses-fixtures.js';

const world = useResponsesWorld();

const post = (body: unknown, key?: string) =>
  world.gw.call('POST', '/v1/responses', { body, ...(key ? { key } : {}) });

describe('responses: what no provider can serve is a 400 naming it', () => {
  it.each([
    [
      'an unknown input item type',
      { input: [{ type: 'telepathy', text: 'hi' }] },
      'input.0.type',
      'unsupported_input',
      '"telepathy"',
    ],
    [
      'a computer_call_output item',
      { input: [{ type: 'computer_call_output', call_id: 'c', output: {} }] },
      'input.0.type',
      'unsupported_input',
      '"computer_call_output"',
    ],
    [
      'an input_file part',
      { input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file_1' }] }] },
      'input.0.content.0.type',
      'unsupported_input',
      '"input_file"',
    ],
    [
      'an image in a system message',
      {
        input: [
          { role: 'system', content: [{ type: 'input_image', image_url: 'https://example.com/a.png' }] },
        ],
      },
      'input.0.content.0.type',
      'unsupported_input',
      '"input_image"',
    ],
    [
      'the web_search built-in tool',
      { input: 'hi', tools: [WEATHER, { type: 'web_search' }] },
      'tools.1.type',
      'unsupported_tool',
      '"web_search"',
    ],
    [
      'file_search as tool_choice',
      { input: 'hi', tool_choice: { type: 'file_search' } },
      'tool_choice.type',
      'unsupported_tool',
      '"file_search"',
    ],
    [
      'background mode',
      { input: 'hi', background: true },
      'background',
      'unsupported_parameter',
      'background',
    ],
  ])('%s', async (_label, extra, field, code, named) => {
    const res = await post({ model: CLAUDE, ...extra });
    expect(res.status, res.text).toBe(400);
    expect(res.json.error.code).toBe(code);
    expect(res.json.error.message).toContain(named);
    expect(res.json.error.message.startsWith(field)).toBe(true);
    expect(res.json.error.details[0].field).toBe(field);
    expect(res.json.error.request_id).toBe(res.headers.get('x-request-id'));
  });

  it('reaches the OpenAI SDK as a BadRequestError whose message names the tool', async () => {
    const error = await world
      .openai()
      .responses.create({
        model: BEDROCK_MODEL,
        input: 'hi',
        tools: [{ type: 'code_interpreter', container: { type: 'auto' } }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain('code_interpreter');
  });

  it('keeps field rules at 422, and calls no provider for any of them', async () => {
    const calls = world.anthropic.requests.length;
    const res = await post({ model: CLAUDE, input: 'hi', temperature: 7 });
    expect(res.status).toBe(422);
    expect(res.json.error.details[0].field).toBe('temperature');
    expect(world.anthropic.requests.length).toBe(calls);
  });
});

describe('responses: previous_response_id must be the caller’s', () => {
  it('answers 404 for an unknown id, a malformed one, one stored with store: false, and another key’s', async () => {
    const other = await mintKey(world.gw, { role: 'invoke', name: 'other invoker' });
    const theirs = await post({ model: CLAUDE, input: 'secret plan' }, other.key);
    const unstored = await post({ model: CLAUDE, input: 'forget me', store: false });
    expect(unstored.json.store).toBe(false);
    const calls = world.anthropic.requests.length;
    for (const previous of [
      'resp_0000000000000000000000000a',
      'not-an-id',
      unstored.json.id,
      theirs.json.id,
    ]) {
      const res = await post({ model: CLAUDE, input: 'go on', previous_response_id: previous });
      expect(res.status, previous).toBe(404);
      expect(res.json.error).toMatchObject({ code: 'not_found', message: 'Previous response not found.' });
      expect(res.text).not.toContain('secret plan');
    }
    expect(world.anthropic.requests.length).toBe(calls);
  });
});

describe('responses: a stored response belongs to the key that created it', () => {
  it('lets another key neither read, list nor delete it (404), not even an admin', async () => {
    const owner = await mintKey(world.gw, { role: 'invoke', name: 'owner' });
    const stranger = await mintKey(world.gw, { role: 'invoke', name: 'stranger' });
    const created = await post({ model: CLAUDE, input: 'mine' }, owner.key);
    const id = created.json.id as string;
    for (const key of [stranger.key, world.gw.adminKey]) {
      for (const [method, path] of [
        ['GET', `/v1/responses/${id}`],
        ['GET', `/v1/responses/${id}/input_items`],
        ['DELETE', `/v1/responses/${id}`],
      ] as const) {
        const res = await world.gw.call(method, path, { key });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.text).not.toContain('mine');
      }
    }
    // The stranger's attempt to delete is recorded as a refusal (reads are not).
    await world.gw.runtime.streams!.idle();
    const audit = await world.gw.call('GET', '/api/audit?limit=100&target_type=access');
    const denial = (
      audit.json.data as Array<{ actor_key_id: string; changes: Record<string, { after: unknown }> }>
    ).find((e) => e.actor_key_id === stranger.id && e.changes.reason?.after === 'out_of_scope');
    expect(denial?.changes).toMatchObject({
      route: { after: 'DELETE /v1/responses/{id}' },
      target: { after: id },
    });
    const sdk = world.openai(stranger.key);
    await expect(sdk.responses.retrieve(id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect(
      (await world.gw.call('GET', `/v1/responses/${id}`, { key: owner.key })).json.output[0].content[0].text,
    ).toBe('echo: mine');
  });

  it('deletes for its owner: then it is gone, and cannot be continued', async () => {
    const openai = world.openai();
    const created = await openai.responses.create({ model: CLAUDE, input: 'short-lived' });
    const deleted = await world.gw.call('DELETE', `/v1/responses/${created.id}`);
    expect(deleted.json).toEqual({ id: created.id, object: 'response', deleted: true });
    await expect(openai.responses.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const next = await post({ model: CLAUDE, input: 'more', previous_response_id: created.id });
    expect(next.status).toBe(404);
  });
});

describe('responses: roles and scopes', () => {
  it('refuses a viewer every responses route (403)', async () => {
    const viewer = await mintKey(world.gw, { role: 'viewer' });
    const created = await post({ model: CLAUDE, input: 'x' });
    const id = created.json.id as string;
    expect((await post({ model: CLAUDE, input: 'x' }, viewer.key)).status).toBe(403);
    for (const [method, path] of [
      ['GET', `/v1/responses/${id}`],
      ['GET', `/v1/responses/${id}/input_items`],
      ['DELETE', `/v1/responses/${id}`],
    ] as const) {
      expect((await world.gw.call(method, path, { key: viewer.key })).status).toBe(403);
    }
    expect((await world.gw.call('GET', `/v1/responses/${id}`)).status).toBe(200);
  });

  it('holds a key scoped elsewhere to its scope: the model it calls, also when it continues', async () => {
    const bedrockOnly = await mintKey(world.gw, {
      role: 'invoke',
      provider_ids: [world.providers[BEDROCK_MODEL]!],
    });
    const modelOnly = await mintKey(world.gw, { role: 'invoke', model_ids: [BEDROCK_MODEL] });
    for (const key of [bedrockOnly.key, modelOnly.key]) {
      const refused = await post({ model: CLAUDE, input: 'x' }, key);
      expect(refused.status).toBe(404);
      expect(refused.text).not.toContain('fake-anthropic');
      const own = await post({ model: BEDROCK_MODEL, input: 'x' }, key);
      expect(own.status).toBe(200);
      const sideways = await post({ model: CLAUDE, input: 'y', previous_response_id: own.json.id }, key);
      expect(sideways.status).toBe(404);
      const onward = await post({ model: BEDROCK_MODEL, input: 'y', previous_response_id: own.json.id }, key);
      expect(onward.status).toBe(200);
    }
  });
});
