/**
 * Shared set-up of the limits tests: the local runtime over a "greedy" upstream that speaks
 * OpenAI's wire format and bills every call the most its request allows (every choice at
 * `max_tokens`, every prompt byte a token, every token id, an upload's longest possible duration),
 * the way a caller who wants more than its share would make a provider spend. Answers can be held
 * back until the test lets them go, so a burst is decided before anything settles.
 */
import { Buffer } from 'node:buffer';
import type { Gateway } from '../../lib/runtime/gateway.js';
import { windowOf } from '../../lib/services/routing/rate-limit.js';
import { keys } from '../../lib/store/keys.js';
import { TEST_KEY } from '../fakes/harness.js';
import { chatStreamEvents } from '../fakes/openai.js';
import { type Behaviour, FakeUpstream, type RecordedRequest } from '../fakes/server.js';
import { seedProvider, type TestGateway } from '../support/runtime.js';

type Json = Record<string, unknown>;

/** Bytes of every string in a value (the most tokens a byte-level tokenizer can make of it). */
export function textBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + textBytes(v), 0);
  if (value && typeof value === 'object') return textBytes(Object.values(value));
  return 0;
}

/** What the greedy fake's speech answer is: every byte value, then the input (binary, not text). */
export function speechBytes(input: string): Buffer {
  return Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from(input)]);
}

/** The greedy upstream, and a gate that holds its answers until `release()`. */
export class GreedyUpstream {
  readonly fake: FakeUpstream;
  /** When set, chats bill this many output tokens per choice instead of `max_tokens`. */
  outputTokens: number | undefined;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  constructor() {
    const held = (make: (r: RecordedRequest) => Behaviour) => async (r: RecordedRequest) => {
      await this.gate;
      return make(r);
    };
    this.fake = new FakeUpstream({
      'POST /v1/chat/completions': held((r) => chat(r, this.outputTokens)),
      'POST /v1/embeddings': held(embeddings),
      'POST /v1/audio/speech': held((r) => ({
        kind: 'raw',
        body: speechBytes(String((r.json as Json).input)),
        contentType: 'audio/mpeg',
      })),
      'POST /v1/audio/transcriptions': async (r: RecordedRequest): Promise<Behaviour> => {
        await this.gate;
        const form = await new Request('http://fake/', {
          method: 'POST',
          headers: { 'content-type': String(r.headers['content-type']) },
          body: r.body,
        }).formData();
        const file = form.get('file') as File;
        // An upload at 6 kbit/s plays longest: the provider bills that many seconds.
        const seconds = Math.ceil(file.size / 750);
        const format = String(form.get('response_format') ?? 'json');
        // Text formats carry no usage (as OpenAI answers them): the bill is unknown to the gateway.
        if (format === 'text')
          return { kind: 'raw', body: Buffer.from('heard\n'), contentType: 'text/plain' };
        if (format === 'srt') {
          const srt = '1\n00:00:00,000 --> 00:00:01,500\nheard\n\n';
          return { kind: 'raw', body: Buffer.from(srt), contentType: 'text/plain' };
        }
        return { kind: 'json', body: { text: 'heard', usage: { type: 'duration', seconds } } };
      },
    });
  }

  /** From now on, answers wait for {@link release}. */
  hold(): void {
    this.gate = new Promise((resolve) => {
      this.open = resolve;
    });
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }
}

function chat(request: RecordedRequest, outputTokens: number | undefined): Behaviour {
  const body = request.json as Json;
  const n = (body.n as number | undefined) ?? 1;
  const max = outputTokens ?? ((body.max_completion_tokens ?? body.max_tokens ?? 16) as number);
  const usage = {
    prompt_tokens: textBytes(body.messages),
    completion_tokens: n * max,
    total_tokens: textBytes(body.messages) + n * max,
  };
  if (body.stream === true) {
    const events = chatStreamEvents(body);
    const done = events.pop()!;
    events.push({ data: { id: 'chatcmpl-greedy', object: 'chat.completion.chunk', choices: [], usage } });
    events.push(done);
    return { kind: 'sse', events };
  }
  const choices = Array.from({ length: n }, (_, index) => ({
    index,
    message: { role: 'assistant', content: 'all of it' },
    finish_reason: 'length',
  }));
  return {
    kind: 'json',
    body: { id: 'chatcmpl-greedy', object: 'chat.completion', created: 1, model: body.model, choices, usage },
  };
}

function embeddings(request: RecordedRequest): Behaviour {
  const body = request.json as Json;
  const input = body.input as unknown;
  const items: unknown[] = Array.isArray(input) && input.some((i) => typeof i !== 'number') ? input : [input];
  const tokens = items.reduce(
    (sum: number, item) => sum + (Array.isArray(item) ? item.length : textBytes(item)),
    0,
  );
  const data = items.map((_, index) => ({ object: 'embedding', index, embedding: [0.5, 0.25] }));
  return {
    kind: 'json',
    body: { object: 'list', data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } },
  };
}

const FROM = '2026-01-01T00:00:00Z';

/** The priced models the limits tests call, on one provider of the greedy upstream. */
export const LIMIT_MODELS = [
  {
    model_id: 'greedy-chat',
    model_type: 'llm',
    pricing: { input_per_1m: 1, output_per_1m: 10, effective_from: FROM },
  },
  { model_id: 'greedy-embed', model_type: 'embedding', pricing: { input_per_1m: 1, effective_from: FROM } },
  { model_id: 'greedy-tts', model_type: 'tts', pricing: { per_character: 0.000015, effective_from: FROM } },
  { model_id: 'greedy-stt', model_type: 'stt', pricing: { per_second: 0.0001, effective_from: FROM } },
];

/** Adds the greedy upstream as an OpenAI provider with {@link LIMIT_MODELS}; returns its id. */
export function seedGreedyProvider(
  gw: TestGateway,
  origin: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  return seedProvider(
    gw,
    {
      name: `greedy-${Math.random().toString(36).slice(2, 8)}`,
      provider_type: 'openai',
      service_types: ['llm', 'embedding', 'speech'],
      base_url: `${origin}/v1`,
      ...extra,
    },
    { apiKey: TEST_KEY, models: LIMIT_MODELS },
  );
}

/** The tokens and requests a rate-limit scope's current window (shard 0) holds. */
export async function windowCounts(
  deps: Gateway,
  scope: string,
): Promise<{ tokens: number; requests: number }> {
  const item = await deps.table.get(keys.rateWindow(scope, windowOf(deps.now()).minute, 0));
  return { tokens: Number(item?.tokens ?? 0), requests: Number(item?.requests ?? 0) };
}

/** A strict quota's budget item of a window (committed, reserved, used), in the quota's units. */
export async function budgetOf(deps: Gateway, quotaId: string, window: string) {
  const item = await deps.table.get(keys.quotaBudget(quotaId, window));
  return {
    committed: Number(item?.committed ?? 0),
    reserved: Number(item?.reserved ?? 0),
    used: Number(item?.used ?? 0),
  };
}

/** Creates a strict quota on one API key (`quota_type`, `limit_value`); returns its id. */
export async function strictKeyQuota(
  gw: TestGateway,
  apiKeyId: string,
  body: { quota_type: string; limit_value: number },
): Promise<string> {
  const res = await gw.call('POST', '/api/quotas', {
    body: { scope: 'api_key', api_key_id: apiKeyId, enforcement: 'strict', ...body },
  });
  if (res.status !== 201) throw new Error(`strict quota: ${res.status} ${res.text}`);
  return res.json.id as string;
}

/** A multipart transcription form of `bytes` bytes of (non-WAV) audio. */
export function transcriptionForm(model: string, bytes: number, responseFormat?: string): FormData {
  const form = new FormData();
  form.set('model', model);
  if (responseFormat !== undefined) form.set('response_format', responseFormat);
  form.set('file', new Blob([new Uint8Array(bytes).fill(7)], { type: 'audio/ogg' }), 'clip.ogg');
  return form;
}
