/**
 * A fake Bedrock runtime for the AWS SDK (point the client's `endpoint` here): `POST
 * /model/{id}/converse` (JSON), `/converse-stream` (the AWS event-stream binary framing, encoded with
 * the SDK's own codec), `/invoke` (Titan and Cohere embeddings; Nova Canvas, Titan Image and
 * Stability images) and `/count-tokens` (Claude models only, as Bedrock). Errors use the real shape: status,
 * `x-amzn-errortype` and `{"message"}`; in-stream exceptions are `:message-type: exception` frames.
 */
import { EventStreamCodec } from '@smithy/core/event-streams';
import { type Behaviour, FakeUpstream, type RecordedRequest } from './server.js';

type Json = Record<string, unknown>;

const codec = new EventStreamCodec(
  (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8'),
  (text: string) => new Uint8Array(Buffer.from(text, 'utf8')),
);

export const BEDROCK_USAGE = {
  inputTokens: 15,
  outputTokens: 8,
  totalTokens: 27,
  cacheReadInputTokens: 4,
  cacheWriteInputTokens: 0,
};
export const EVENT_STREAM = 'application/vnd.amazon.eventstream';

/** One event frame (`:message-type: event`). */
export function eventFrame(type: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: new Uint8Array(Buffer.from(JSON.stringify(payload))),
  });
}

/** One exception frame (`:message-type: exception`), e.g. `throttlingException`. */
export function exceptionFrame(type: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: new Uint8Array(Buffer.from(JSON.stringify({ message }))),
  });
}

/** A Bedrock error answer (what the SDK turns into a named exception). */
export function bedrockError(
  status: number,
  name: string,
  message: string,
  headers: Record<string, string> = {},
): Behaviour {
  return {
    kind: 'json',
    status,
    body: { message },
    headers: {
      'x-amzn-errortype': `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      ...headers,
    },
  };
}

function lastUserText(messages: Json[]): string {
  const last = [...messages].reverse().find((m) => m.role === 'user');
  const blocks = (last?.content as Json[] | undefined) ?? [];
  const result = blocks.find((b) => b.toolResult !== undefined);
  if (result !== undefined)
    return `tool said ${((result.toolResult as Json).content as Json[]).map((c) => c.text).join('')}`;
  return blocks
    .filter((b) => typeof b.text === 'string')
    .map((b) => b.text)
    .join('');
}

function toolToUse(body: Json): string | undefined {
  const config = body.toolConfig as Json | undefined;
  const tools = (config?.tools as Json[] | undefined) ?? [];
  const last = (body.messages as Json[]).at(-1);
  if (tools.length === 0 || ((last?.content as Json[]) ?? []).some((b) => b.toolResult !== undefined))
    return undefined;
  const named = (config?.toolChoice as Json | undefined)?.tool as Json | undefined;
  return (named?.name as string | undefined) ?? ((tools[0]!.toolSpec as Json).name as string);
}

function converse(body: Json): Behaviour {
  const tool = toolToUse(body);
  const content = tool
    ? [{ toolUse: { toolUseId: 'tooluse_fake_1', name: tool, input: { city: 'Paris' } } }]
    : [{ text: `echo: ${lastUserText(body.messages as Json[])}` }];
  return {
    kind: 'json',
    body: {
      output: { message: { role: 'assistant', content } },
      stopReason: tool ? 'tool_use' : 'end_turn',
      usage: BEDROCK_USAGE,
      metrics: { latencyMs: 42 },
    },
  };
}

/** The frames the fake streams for a body. */
export function converseStreamFrames(body: Json): Uint8Array[] {
  const frames = [eventFrame('messageStart', { role: 'assistant' })];
  const tool = toolToUse(body);
  if (tool) {
    frames.push(
      eventFrame('contentBlockStart', {
        contentBlockIndex: 0,
        start: { toolUse: { toolUseId: 'tooluse_fake_1', name: tool } },
      }),
    );
    frames.push(
      eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: '{"city":' } } }),
    );
    frames.push(
      eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: '"Paris"}' } } }),
    );
  } else {
    for (const word of `echo: ${lastUserText(body.messages as Json[])}`.match(/\S+\s*/g) ?? []) {
      frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: word } }));
    }
  }
  frames.push(eventFrame('contentBlockStop', { contentBlockIndex: 0 }));
  frames.push(eventFrame('messageStop', { stopReason: tool ? 'tool_use' : 'end_turn' }));
  frames.push(eventFrame('metadata', { usage: BEDROCK_USAGE, metrics: { latencyMs: 42 } }));
  return frames;
}

/** A 1×1 PNG, as the fake's generated image. */
export const BEDROCK_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

function image(modelId: string, body: Json): Behaviour {
  if (modelId.startsWith('stability.'))
    return { kind: 'json', body: { seeds: [7], finish_reasons: [null], images: [BEDROCK_PNG_BASE64] } };
  const config = body.imageGenerationConfig as Json;
  const n = (config?.numberOfImages as number | undefined) ?? 1;
  return { kind: 'json', body: { images: Array.from({ length: n }, () => BEDROCK_PNG_BASE64) } };
}

/** The fake's count: 100 per message of the InvokeModel body, plus 7 (Claude models only). */
function countTokens(modelId: string, body: Json): Behaviour {
  if (!modelId.startsWith('anthropic.claude'))
    return bedrockError(400, 'ValidationException', "The provided model doesn't support counting tokens.");
  const encoded = ((body.input as Json).invokeModel as Json).body as string;
  const inner = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Json;
  return { kind: 'json', body: { inputTokens: 7 + 100 * (inner.messages as unknown[]).length } };
}

function invoke(modelId: string, body: Json): Behaviour {
  if (/nova-canvas|titan-image|^stability\./.test(modelId)) return image(modelId, body);
  if (modelId.includes('titan-embed')) {
    const text = String(body.inputText);
    const size = (body.dimensions as number | undefined) ?? 3;
    return {
      kind: 'json',
      body: {
        embedding: Array.from({ length: size }, (_, i) => (i === 0 ? text.length : 0.5)),
        inputTextTokenCount: text.split(/\s+/).length,
      },
    };
  }
  const texts = body.texts as string[];
  return {
    kind: 'json',
    body: {
      id: 'bedrock-cohere',
      response_type: 'embeddings_by_type',
      embeddings: { float: texts.map((_, i) => [i + 0.5, 0.25]) },
      texts,
    },
    headers: { 'x-amzn-bedrock-input-token-count': String(7 * texts.length) },
  };
}

function route(request: RecordedRequest): Behaviour {
  const auth = String(request.headers.authorization ?? '');
  if (!auth.startsWith('AWS4-HMAC-SHA256') && !auth.startsWith('Bearer '))
    return bedrockError(403, 'UnrecognizedClientException', 'missing signature');
  const match = /^\/model\/([^/]+)\/(converse|converse-stream|invoke|count-tokens)$/.exec(request.path);
  if (match === null) return bedrockError(404, 'ResourceNotFoundException', 'no such route');
  const modelId = decodeURIComponent(match[1] ?? '');
  const body = request.json as Json;
  if (match[2] === 'converse') return converse(body);
  if (match[2] === 'converse-stream')
    return { kind: 'frames', frames: converseStreamFrames(body), contentType: EVENT_STREAM };
  if (match[2] === 'count-tokens') return countTokens(modelId, body);
  return invoke(modelId, body);
}

export function createBedrockFake(): FakeUpstream {
  return new FakeUpstream({ 'POST /model/*': route }, { http2: true });
}
