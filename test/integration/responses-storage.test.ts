/**
 * How responses are kept: a conversation larger than one DynamoDB item is split into parts and read
 * back whole; one too large to keep is answered anyway, with `store: false` and a header saying
 * why; kept responses expire after `RESPONSES_RETENTION_DAYS`; a stream that breaks after its first
 * byte ends with `error` and `response.failed`, is counted as an error and is not kept.
 */
import { randomBytes } from 'node:crypto';
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { anthropicStreamEvents } from '../fakes/anthropic.js';
import { CLAUDE, useResponsesWorld, userTexts } from './responses-fixtures.js';

const DAY_MS = 86_400_000;
let clock = Date.now();
const world = useResponsesWorld({ RESPONSES_RETENTION_DAYS: '2' }, { now: () => clock });

/** Text that gzip cannot shrink much (base64 of random bytes: about 3/4 of its length remains). */
const incompressible = (chars: number) =>
  randomBytes(Math.ceil((chars * 3) / 4))
    .toString('base64')
    .slice(0, chars);

describe('responses storage: size', () => {
  it('keeps a conversation larger than a DynamoDB item in parts, and reads it back whole', async () => {
    const big = incompressible(900_000);
    const openai = world.openai();
    const first = await openai.responses.create({ model: CLAUDE, input: big });
    expect((first as { store?: boolean }).store).toBe(true);
    const items = await openai.responses.inputItems.list(first.id);
    const message = items.data[0];
    expect(message?.type === 'message' && message.content[0]).toEqual({ type: 'input_text', text: big });
    expect((await openai.responses.retrieve(first.id)).output_text).toBe(`echo: ${big}`);
    await openai.responses.create({ model: CLAUDE, input: 'and then?', previous_response_id: first.id });
    expect(userTexts(world.anthropic.last().json)).toEqual([big, 'and then?']);
  });

  it('answers a response too large to keep, with store false and x-gateway-store-skipped', async () => {
    const huge = incompressible(4_000_000);
    const res = await world.gw.call('POST', '/v1/responses', { body: { model: CLAUDE, input: huge } });
    expect(res.status).toBe(200);
    expect(res.json.store).toBe(false);
    expect(res.headers.get('x-gateway-store-skipped')).toBe('too_large');
    expect(res.json.output[0].content[0].text).toBe(`echo: ${huge}`);
    expect((await world.gw.call('GET', `/v1/responses/${res.json.id}`)).status).toBe(404);
  });
});

describe('responses storage: retention', () => {
  it('forgets a response after RESPONSES_RETENTION_DAYS: no retrieval, no continuation', async () => {
    const openai = world.openai();
    const kept = await openai.responses.create({ model: CLAUDE, input: 'for two days' });
    clock += 2 * DAY_MS - 60_000;
    expect((await openai.responses.retrieve(kept.id)).id).toBe(kept.id);
    clock += 120_000;
    expect((await world.gw.call('GET', `/v1/responses/${kept.id}`)).status).toBe(404);
    const next = await world.gw.call('POST', '/v1/responses', {
      body: { model: CLAUDE, input: 'still there?', previous_response_id: kept.id },
    });
    expect(next.status).toBe(404);
  });
});

describe('responses: a stream that breaks after its first byte', () => {
  it('ends with error and response.failed, counts an error, keeps nothing', async () => {
    const provider = world.providers[CLAUDE]!;
    const day = new Date(clock).toISOString().slice(0, 10);
    const usage = `/api/providers/${provider}/usage?granularity=day&start_date=${day}&end_date=${day}`;
    await world.gw.runtime.streams!.idle();
    const errorsBefore = (await world.gw.call('GET', usage)).json.totals.errors;
    const script = anthropicStreamEvents({
      model: CLAUDE,
      messages: [{ role: 'user', content: 'cut me off' }],
    });
    world.anthropic.script('POST /v1/messages', {
      kind: 'sse',
      events: script.slice(0, 4),
      gapMs: 20,
      endEarly: true,
    });
    const stream = await world
      .openai()
      .responses.create({ model: CLAUDE, input: 'cut me off', stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events.map((e) => e.type).slice(-2)).toEqual(['error', 'response.failed']);
    const failed = events.at(-1) as OpenAI.Responses.ResponseFailedEvent;
    expect(failed.response.status).toBe('failed');
    const error = events.at(-2) as OpenAI.Responses.ResponseErrorEvent;
    expect(failed.response.error).toEqual({ code: error.code, message: error.message });
    expect(error.code).toMatch(/^upstream_|^bad_upstream/);
    expect(events.some((e) => e.type === 'response.output_text.delta')).toBe(true);
    expect((await world.gw.call('GET', `/v1/responses/${failed.response.id}`)).status).toBe(404);
    await world.gw.runtime.idle();
    await world.gw.runtime.streams!.idle();
    expect((await world.gw.call('GET', usage)).json.totals.errors).toBe(errorsBefore + 1);
  });
});
