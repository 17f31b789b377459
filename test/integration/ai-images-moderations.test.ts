/**
 * `POST /v1/images/generations` and `POST /v1/moderations` through the whole gateway, called by the
 * official OpenAI SDK over fake upstreams speaking OpenAI's and Bedrock's wire formats: images as
 * the provider gives them (URL or base64), per-family request bodies, sizes refused before any call,
 * usage and cost exact to the nano-dollar; moderation verdicts; `GET /v1/models` listing what each
 * model does.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEDROCK_PNG_BASE64, createBedrockFake } from '../fakes/bedrock.js';
import { TEST_KEY } from '../fakes/harness.js';
import { createOpenAIFake, FAKE_PNG_BASE64, GPT_IMAGE_USAGE } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/server.js';
import { seedProvider, startTestGateway, type TestGateway } from '../support/runtime.js';

const FROM = '2026-01-01T00:00:00.000Z';
const NOVA = 'amazon.nova-canvas-v1:0';
const TITAN = 'amazon.titan-image-generator-v2:0';
const STABILITY = 'stability.sd3-5-large-v1:0';

let gw: TestGateway;
let openaiFake: FakeUpstream;
let bedrockFake: FakeUpstream;
let openai: OpenAI;

const image = (model_id: string, pricing: Record<string, unknown>) => ({
  model_id,
  model_type: 'image',
  pricing: { ...pricing, effective_from: FROM },
});

beforeAll(async () => {
  openaiFake = createOpenAIFake();
  bedrockFake = createBedrockFake();
  const [openaiOrigin, bedrockOrigin] = await Promise.all([openaiFake.start(), bedrockFake.start()]);
  gw = await startTestGateway({ ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32', MOCK_PROVIDER: 'on' });
  await seedProvider(
    gw,
    {
      name: 'img-openai',
      provider_type: 'openai',
      service_types: ['image', 'moderation'],
      base_url: `${openaiOrigin}/v1`,
    },
    {
      apiKey: TEST_KEY,
      models: [
        image('dall-e-3', {
          per_image: [
            { size: '1024x1024', quality: 'standard', usd: 0.04 },
            { size: '1024x1024', quality: 'hd', usd: 0.08 },
            { quality: 'standard', usd: 0.08 },
            { quality: 'hd', usd: 0.12 },
          ],
        }),
        image('gpt-image-1', { input_per_1m: 5, output_per_1m: 40 }),
        { model_id: 'omni-moderation-latest', model_type: 'moderation' },
      ],
    },
  );
  await seedProvider(
    gw,
    {
      name: 'img-bedrock',
      provider_type: 'bedrock',
      service_types: ['image'],
      base_url: bedrockOrigin,
      metadata: { region: 'us-east-1' },
    },
    {
      apiKey: TEST_KEY,
      models: [
        image(NOVA, {
          per_image: [
            { quality: 'standard', usd: 0.04 },
            { quality: 'premium', usd: 0.06 },
          ],
        }),
        image(TITAN, { per_image: [{ usd: 0.01 }] }),
        image(STABILITY, { per_image: [{ usd: 0.08 }] }),
      ],
    },
  );
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.adminKey, maxRetries: 0 });
});
afterAll(async () => {
  await gw.stop();
  await Promise.all([openaiFake.stop(), bedrockFake.stop()]);
});

/** Usage of one model since the start, from the usage report (after the change stream settled). */
async function usageOf(model: string) {
  await gw.runtime.streams!.idle();
  const res = await gw.call('GET', '/api/usage?granularity=hour&group_by=model');
  expect(res.status, res.text).toBe(200);
  const rows = res.json.series.filter((row: { group: string }) => row.group === model);
  return {
    requests: rows.reduce((n: number, r: { requests: number }) => n + r.requests, 0),
    images: rows.reduce((n: number, r: { images: number }) => n + r.images, 0),
    cost_usd: rows.reduce((n: number, r: { cost_usd: number }) => n + r.cost_usd, 0),
    unpriced: rows.reduce((n: number, r: { unpriced_requests: number }) => n + r.unpriced_requests, 0),
  };
}

describe('images: OpenAI', () => {
  it('answers dall-e-3 with the URL the provider gave, and bills it per image by size and quality', async () => {
    const { data: result, response } = await openai.images
      .generate({ model: 'dall-e-3', prompt: 'a lighthouse', size: '1792x1024', quality: 'hd' })
      .withResponse();
    expect(result.data).toEqual([
      { url: 'https://images.fake.test/img-0.png', revised_prompt: 'fake: a lighthouse' },
    ]);
    expect(response.headers.get('x-gateway-provider')).toBe('img-openai');
    expect(openaiFake.last().json).toEqual({
      model: 'dall-e-3',
      prompt: 'a lighthouse',
      size: '1792x1024',
      quality: 'hd',
    });
    expect(await usageOf('dall-e-3')).toEqual({ requests: 1, images: 1, cost_usd: 0.12, unpriced: 0 });
  });

  it('answers base64 when asked, priced at the standard 1024x1024 price', async () => {
    const result = await openai.images.generate({
      model: 'dall-e-3',
      prompt: 'a boat',
      response_format: 'b64_json',
    });
    expect(result.data?.[0]?.b64_json).toBe(FAKE_PNG_BASE64);
    expect(await usageOf('dall-e-3')).toEqual({ requests: 2, images: 2, cost_usd: 0.16, unpriced: 0 });
  });

  it('bills gpt-image by its tokens, exact to the nano-dollar, and never sends it response_format', async () => {
    const result = await openai.images.generate({
      model: 'gpt-image-1',
      prompt: 'a cat',
      n: 2,
      response_format: 'url',
    });
    expect(result.data?.map((d) => d.b64_json)).toEqual([FAKE_PNG_BASE64, FAKE_PNG_BASE64]);
    expect(result.usage).toEqual({ input_tokens: 20, output_tokens: 4160, total_tokens: 4180 });
    expect(result).toMatchObject({ size: '1024x1024', quality: 'high' });
    expect(openaiFake.last().json).not.toHaveProperty('response_format');
    // 20 × $5/1M + 4160 × $40/1M = $0.0001 + $0.1664 = 166,500,000 nano-USD
    const usage = await usageOf('gpt-image-1');
    expect(usage).toEqual({ requests: 1, images: 2, cost_usd: 0.1665, unpriced: 0 });
    expect(GPT_IMAGE_USAGE.output_tokens).toBe(4160);
  });

  it('refuses a size the model does not make with a 400 naming size, before any upstream call', async () => {
    const calls = openaiFake.requests.length;
    const error = await openai.images
      .generate({ model: 'dall-e-3', prompt: 'x', size: '512x512' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const body = (error as InstanceType<typeof OpenAI.BadRequestError>).error as {
      code: string;
      details: Array<{ field: string }>;
    };
    expect(body.code).toBe('invalid_image_request');
    expect(body.details[0]?.field).toBe('size');
    const tooLarge = await gw.call('POST', '/v1/images/generations', {
      body: { model: 'dall-e-3', prompt: 'x', size: '8192x8192' },
    });
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.json.error.details).toEqual([
      { field: 'size', message: expect.stringContaining('4096') },
    ]);
    expect(openaiFake.requests.length).toBe(calls);
  });
});

describe('images: Bedrock (InvokeModel per family, base64)', () => {
  it('sends Nova Canvas a TEXT_IMAGE body and answers base64, priced by quality', async () => {
    const result = await openai.images.generate({
      model: NOVA,
      prompt: 'a fox',
      n: 2,
      size: '1280x720',
      quality: 'hd',
      response_format: 'url',
    });
    expect(result.data?.map((d) => d.b64_json)).toEqual([BEDROCK_PNG_BASE64, BEDROCK_PNG_BASE64]);
    expect(result).toMatchObject({ size: '1280x720', quality: 'premium' });
    const sent = bedrockFake.last();
    expect(sent.path).toBe(`/model/${encodeURIComponent(NOVA)}/invoke`);
    expect(sent.json).toEqual({
      taskType: 'TEXT_IMAGE',
      textToImageParams: { text: 'a fox' },
      imageGenerationConfig: { numberOfImages: 2, quality: 'premium', width: 1280, height: 720 },
    });
    expect(await usageOf(NOVA)).toEqual({ requests: 1, images: 2, cost_usd: 0.12, unpriced: 0 });
  });

  it('sends Titan Image its body and Stability its own, one call per image', async () => {
    await openai.images.generate({ model: TITAN, prompt: 'a hill', size: '512x512' });
    expect(bedrockFake.last().json).toMatchObject({
      taskType: 'TEXT_IMAGE',
      imageGenerationConfig: { numberOfImages: 1, quality: 'standard', width: 512, height: 512 },
    });
    const before = bedrockFake.requests.length;
    const result = await openai.images.generate({
      model: STABILITY,
      prompt: 'a tree',
      n: 2,
      size: '1344x768',
    });
    expect(result.data).toHaveLength(2);
    expect(bedrockFake.requests.length - before).toBe(2);
    expect(bedrockFake.last().json).toEqual({ prompt: 'a tree', aspect_ratio: '16:9', output_format: 'png' });
    expect(await usageOf(STABILITY)).toEqual({ requests: 1, images: 2, cost_usd: 0.16, unpriced: 0 });
  });

  it("refuses sizes outside a family's rules with a 400 naming size", async () => {
    for (const [model, size] of [
      [TITAN, '1000x1000'],
      [NOVA, '4096x256'],
      [STABILITY, '1024x512'],
    ] as const) {
      const res = await gw.call('POST', '/v1/images/generations', { body: { model, prompt: 'x', size } });
      expect(res.status, `${model} ${size}`).toBe(400);
      expect(res.json.error.details[0].field).toBe('size');
    }
  });
});

describe('images: strict quotas hold the images asked for', () => {
  it('refuses before any upstream call an image that would exceed a strict cost quota', async () => {
    const providers = await gw.call('GET', '/api/providers?limit=100');
    const bedrockId = providers.json.data.find((p: { name: string }) => p.name === 'img-bedrock').id;
    const created = await gw.call('POST', '/api/quotas', {
      body: {
        provider_id: bedrockId,
        model_id: TITAN,
        scope: 'model',
        quota_type: 'daily_cost',
        limit_value: 0.025,
        action_on_exceed: 'block',
        enforcement: 'strict',
      },
    });
    expect(created.status, created.text).toBe(201);
    const before = bedrockFake.requests.length;
    // Three Titan images at $0.01 each: $0.03 > $0.025 (already spent: $0.01), refused whole.
    const refused = await gw.call('POST', '/v1/images/generations', {
      body: { model: TITAN, prompt: 'x', n: 3, size: '512x512' },
    });
    expect(refused.status, refused.text).toBe(429);
    expect(refused.json.error.code).toBe('quota_exceeded');
    expect(bedrockFake.requests.length).toBe(before);
    const one = await gw.call('POST', '/v1/images/generations', {
      body: { model: TITAN, prompt: 'x', size: '512x512' },
    });
    expect(one.status, one.text).toBe(200);
  });
});

describe('moderations', () => {
  it('answers an OpenAI moderation model, defaulting to omni-moderation-latest', async () => {
    const result = await openai.moderations.create({ input: ['plan the attack', 'a nice walk'] });
    expect(result.model).toBe('omni-moderation-latest');
    expect(result.results.map((r) => r.flagged)).toEqual([true, false]);
    expect(result.results[0]?.categories).toMatchObject({ violence: true });
    expect(result.results[0]?.category_scores).toMatchObject({ violence: 0.97 });
    expect(openaiFake.last().json).toEqual({
      model: 'omni-moderation-latest',
      input: ['plan the attack', 'a nice walk'],
    });
  });

  it('answers the mock, and counts each moderation as a request', async () => {
    const result = await openai.moderations.create({ model: 'mock-moderation', input: '[flag] you' });
    expect(result.results[0]).toMatchObject({ flagged: true, categories: { harassment: true } });
    expect((await usageOf('mock-moderation')).requests).toBe(1);
  });
});

describe('GET /v1/models: what each model does', () => {
  it('lists image and moderation models with their type and capabilities, in OpenAI’s list shape', async () => {
    const list = await openai.models.list();
    const byId = new Map(list.data.map((m) => [m.id, m as unknown as Record<string, unknown>]));
    expect(byId.get('dall-e-3')).toMatchObject({
      object: 'model',
      owned_by: 'img-openai',
      model_type: 'image',
    });
    expect(byId.get('omni-moderation-latest')).toMatchObject({ model_type: 'moderation', capabilities: [] });
    expect(byId.get('mock-chat')).toMatchObject({
      model_type: 'llm',
      capabilities: ['streaming', 'tools', 'vision', 'json_mode'],
    });
    expect(byId.get('mock-image')).toMatchObject({ model_type: 'image' });
  });
});
