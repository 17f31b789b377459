/**
 * A fake OpenAI (`/v1/...`): chat completions (text, image parts, tools, streaming with the usage
 * chunk and `[DONE]`), embeddings (float and base64), models, speech and transcriptions (multipart),
 * image generations (`dall-e-*`: a URL or base64 as asked; `gpt-image-*`: base64 with token usage,
 * refusing `response_format` as OpenAI does) and moderations (flags text containing "attack").
 * Answers are deterministic functions of the request, so tests assert what reached the wire:
 * the reply echoes the last user text, and any tools produce a call `{"city":"Paris"}`.
 * Also serves the Hugging Face router and `custom` servers, which speak the same format.
 */
import { type Behaviour, FakeUpstream, type RecordedRequest, type SseScript } from './server.js';

export const OPENAI_USAGE = {
  prompt_tokens: 12,
  completion_tokens: 7,
  total_tokens: 19,
  prompt_tokens_details: { cached_tokens: 2 },
};
export const TOOL_ARGUMENTS = '{"city":"Paris"}';

type Json = Record<string, unknown>;

function lastUserText(messages: Json[]): string {
  const last = [...messages].reverse().find((m) => m.role === 'user' || m.role === 'tool');
  if (last === undefined) return '';
  const content = last.content;
  const text =
    typeof content === 'string'
      ? content
      : (content as Json[])
          .filter((p) => p.type === 'text')
          .map((p) => p.text)
          .join('');
  return last.role === 'tool' ? `tool said ${text}` : text;
}

function toolToCall(body: Json): string | undefined {
  const tools = body.tools as Json[] | undefined;
  const messages = body.messages as Json[];
  if (
    tools === undefined ||
    tools.length === 0 ||
    body.tool_choice === 'none' ||
    messages.at(-1)?.role === 'tool'
  )
    return undefined;
  const choice = body.tool_choice as Json | string | undefined;
  if (typeof choice === 'object') return (choice.function as Json).name as string;
  return (tools[0]!.function as Json).name as string;
}

function completion(body: Json): Json {
  const tool = toolToCall(body);
  const message = tool
    ? {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_fake_1', type: 'function', function: { name: tool, arguments: TOOL_ARGUMENTS } },
        ],
      }
    : { role: 'assistant', content: `echo: ${lastUserText(body.messages as Json[])}` };
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: body.model,
    choices: [{ index: 0, message, finish_reason: tool ? 'tool_calls' : 'stop', logprobs: null }],
    usage: OPENAI_USAGE,
  };
}

/** The stream of chunks the fake sends for a body (exported for tests that script variations). */
export function chatStreamEvents(body: Json): SseScript[] {
  const base = {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: body.model,
  };
  const chunk = (delta: Json, finish: string | null = null) => ({
    data: { ...base, choices: [{ index: 0, delta, finish_reason: finish }] },
  });
  const events: SseScript[] = [chunk({ role: 'assistant', content: '' })];
  const tool = toolToCall(body);
  if (tool) {
    events.push(
      chunk({
        tool_calls: [
          { index: 0, id: 'call_fake_1', type: 'function', function: { name: tool, arguments: '' } },
        ],
      }),
    );
    events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }));
    events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }));
    events.push(chunk({}, 'tool_calls'));
  } else {
    for (const word of `echo: ${lastUserText(body.messages as Json[])}`.match(/\S+\s*/g) ?? [])
      events.push(chunk({ content: word }));
    events.push(chunk({}, 'stop'));
  }
  if ((body.stream_options as Json | undefined)?.include_usage === true) {
    events.push({ data: { ...base, choices: [], usage: OPENAI_USAGE } });
  }
  events.push({ data: '[DONE]' });
  return events;
}

function chat(request: RecordedRequest): Behaviour {
  const body = request.json as Json;
  if (body.stream === true) return { kind: 'sse', events: chatStreamEvents(body) };
  return { kind: 'json', body: completion(body) };
}

/** A deterministic vector: `[index + 0.5, 0.25, -0.5, 1, 1, ...]` of the requested size (default 4). */
export function fakeVector(index: number, dimensions = 4): number[] {
  return Array.from({ length: dimensions }, (_, i) =>
    i === 0 ? index + 0.5 : i === 1 ? 0.25 : i === 2 ? -0.5 : 1,
  );
}

function embeddings(request: RecordedRequest): Behaviour {
  const body = request.json as Json;
  const inputs = typeof body.input === 'string' ? [body.input] : (body.input as unknown[]);
  const data = inputs.map((_, index) => {
    const vector = fakeVector(index, (body.dimensions as number | undefined) ?? 4);
    const embedding =
      body.encoding_format === 'base64'
        ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
        : vector;
    return { object: 'embedding', index, embedding };
  });
  return {
    kind: 'json',
    body: {
      object: 'list',
      data,
      model: body.model,
      usage: { prompt_tokens: 3 * inputs.length, total_tokens: 3 * inputs.length },
    },
  };
}

async function transcription(request: RecordedRequest): Promise<Behaviour> {
  const form = await new Request('http://fake/', {
    method: 'POST',
    headers: { 'content-type': String(request.headers['content-type']) },
    body: request.body,
  }).formData();
  const file = form.get('file') as File;
  const text = `heard ${file.name} (${file.size} bytes) model=${String(form.get('model'))}`;
  if (form.get('response_format') === 'text') return { kind: 'raw', body: text, contentType: 'text/plain' };
  return { kind: 'json', body: { text, usage: { type: 'duration', seconds: 2.5 } } };
}

/** A 1×1 PNG, as the fake's generated image. */
export const FAKE_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
/** The usage the fake reports for a gpt-image generation. */
export const GPT_IMAGE_USAGE = {
  input_tokens: 20,
  output_tokens: 4160,
  total_tokens: 4180,
  input_tokens_details: { text_tokens: 20, image_tokens: 0 },
};

function images(request: RecordedRequest): Behaviour {
  const body = request.json as Json;
  const n = (body.n as number | undefined) ?? 1;
  if (String(body.model).startsWith('gpt-image')) {
    if (body.response_format !== undefined)
      return {
        kind: 'json',
        status: 400,
        body: { error: { message: "Unknown parameter: 'response_format'." } },
      };
    return {
      kind: 'json',
      body: {
        created: 1_700_000_000,
        data: Array.from({ length: n }, () => ({ b64_json: FAKE_PNG_BASE64 })),
        size: body.size ?? '1024x1024',
        quality: body.quality === undefined || body.quality === 'auto' ? 'high' : body.quality,
        background: 'opaque',
        output_format: 'png',
        usage: { ...GPT_IMAGE_USAGE, total_tokens: GPT_IMAGE_USAGE.total_tokens },
      },
    };
  }
  const data = Array.from({ length: n }, (_, i) =>
    body.response_format === 'b64_json'
      ? { b64_json: FAKE_PNG_BASE64, revised_prompt: `fake: ${String(body.prompt)}` }
      : { url: `https://images.fake.test/img-${i}.png`, revised_prompt: `fake: ${String(body.prompt)}` },
  );
  return { kind: 'json', body: { created: 1_700_000_000, data } };
}

function moderations(request: RecordedRequest): Behaviour {
  const body = request.json as Json;
  const texts = typeof body.input === 'string' ? [body.input] : (body.input as unknown[]).map(String);
  const results = texts.map((text) => {
    const flagged = text.includes('attack');
    return {
      flagged,
      categories: { violence: flagged, harassment: false },
      category_scores: { violence: flagged ? 0.97 : 0.01, harassment: 0.002 },
      category_applied_input_types: { violence: flagged ? ['text'] : [], harassment: [] },
    };
  });
  return { kind: 'json', body: { id: 'modr-fake', model: body.model, results } };
}

/** Routes under `prefix` (`/v1` for OpenAI and the HF router, anything for a custom server). */
export function openAIRoutes(prefix = '/v1') {
  return {
    [`POST ${prefix}/chat/completions`]: chat,
    [`POST ${prefix}/embeddings`]: embeddings,
    [`GET ${prefix}/models`]: (): Behaviour => ({
      kind: 'json',
      body: {
        object: 'list',
        data: [{ id: 'gpt-fake', object: 'model', created: 1_700_000_000, owned_by: 'fake' }],
      },
    }),
    [`POST ${prefix}/audio/speech`]: (request: RecordedRequest): Behaviour => ({
      kind: 'raw',
      body: Buffer.concat([
        Buffer.from('ID3'),
        Buffer.from(`fake-mp3:${String((request.json as Json).input)}`),
      ]),
      contentType: 'audio/mpeg',
    }),
    [`POST ${prefix}/audio/transcriptions`]: transcription,
    [`POST ${prefix}/images/generations`]: images,
    [`POST ${prefix}/moderations`]: moderations,
  };
}

export function createOpenAIFake(prefix = '/v1'): FakeUpstream {
  return new FakeUpstream(openAIRoutes(prefix));
}
