/**
 * A fake Anthropic Messages API (`POST /v1/messages`): checks `x-api-key` and `anthropic-version` as
 * the real one does, answers with text (echo of the last user text) or a `tool_use` block when tools
 * are offered, with cache-aware usage, and streams the real event sequence (`message_start`, `ping`,
 * block start/delta/stop, `message_delta` with usage, `message_stop`), and counts tokens
 * (`POST /v1/messages/count_tokens`, answered with {@link fakeTokenCount}).
 */
import { type Behaviour, FakeUpstream, type RecordedRequest, type SseScript } from './server.js';

type Json = Record<string, unknown>;

export const ANTHROPIC_USAGE = {
  input_tokens: 11,
  output_tokens: 6,
  cache_read_input_tokens: 3,
  cache_creation_input_tokens: 1,
};

function blocks(content: unknown): Json[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : (content as Json[]);
}

function lastUserText(messages: Json[]): string {
  const last = [...messages].reverse().find((m) => m.role === 'user');
  if (last === undefined) return '';
  const parts = blocks(last.content);
  const result = parts.find((b) => b.type === 'tool_result');
  if (result !== undefined)
    return `tool said ${typeof result.content === 'string' ? result.content : JSON.stringify(result.content)}`;
  return parts
    .filter((b) => b.type === 'text')
    .map((b) => b.text)
    .join('');
}

function toolToUse(body: Json): string | undefined {
  const tools = body.tools as Json[] | undefined;
  const choice = body.tool_choice as Json | undefined;
  const last = (body.messages as Json[]).at(-1);
  const answeringTool = last !== undefined && blocks(last.content).some((b) => b.type === 'tool_result');
  if (tools === undefined || tools.length === 0 || choice?.type === 'none' || answeringTool) return undefined;
  return choice?.type === 'tool' ? (choice.name as string) : (tools[0]?.name as string);
}

function refuse(request: RecordedRequest): Behaviour | undefined {
  const error = (status: number, type: string, message: string): Behaviour => ({
    kind: 'json',
    status,
    body: { type: 'error', error: { type, message } },
  });
  if (typeof request.headers['x-api-key'] !== 'string')
    return error(401, 'authentication_error', 'x-api-key header is required');
  if (typeof request.headers['anthropic-version'] !== 'string')
    return error(400, 'invalid_request_error', 'anthropic-version header is required');
  const body = request.json as Json;
  if (typeof body?.max_tokens !== 'number')
    return error(400, 'invalid_request_error', 'max_tokens: Field required');
  return undefined;
}

function message(body: Json): Json {
  const tool = toolToUse(body);
  const content = tool
    ? [{ type: 'tool_use', id: 'toolu_fake_1', name: tool, input: { city: 'Paris' } }]
    : [{ type: 'text', text: `echo: ${lastUserText(body.messages as Json[])}` }];
  return {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model: body.model,
    content,
    stop_reason: tool ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: ANTHROPIC_USAGE,
  };
}

/** The event sequence the fake streams for a body. */
export function anthropicStreamEvents(body: Json): SseScript[] {
  const ev = (type: string, data: Json): SseScript => ({ event: type, data: { type, ...data } });
  const start = {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model: body.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { ...ANTHROPIC_USAGE, output_tokens: 1 },
  };
  const events: SseScript[] = [ev('message_start', { message: start }), ev('ping', {})];
  const tool = toolToUse(body);
  if (tool) {
    events.push(
      ev('content_block_start', {
        index: 0,
        content_block: { type: 'tool_use', id: 'toolu_fake_1', name: tool, input: {} },
      }),
    );
    events.push(
      ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '{"city":' } }),
    );
    events.push(
      ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } }),
    );
  } else {
    events.push(ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
    for (const word of `echo: ${lastUserText(body.messages as Json[])}`.match(/\S+\s*/g) ?? []) {
      events.push(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: word } }));
    }
  }
  events.push(ev('content_block_stop', { index: 0 }));
  events.push(
    ev('message_delta', {
      delta: { stop_reason: tool ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: ANTHROPIC_USAGE.output_tokens },
    }),
  );
  events.push(ev('message_stop', {}));
  return events;
}

function messages(request: RecordedRequest): Behaviour {
  const refused = refuse(request);
  if (refused !== undefined) return refused;
  const body = request.json as Json;
  return body.stream === true
    ? { kind: 'sse', events: anthropicStreamEvents(body) }
    : { kind: 'json', body: message(body) };
}

/**
 * The fake's token count of a body: 10 per message, 3 for a system prompt, 50 per tool (a number no
 * local estimate would produce, so a test can tell it came from the provider).
 */
export function fakeTokenCount(body: Json): number {
  const tools = (body.tools as unknown[] | undefined)?.length ?? 0;
  return 10 * (body.messages as unknown[]).length + (body.system === undefined ? 0 : 3) + 50 * tools;
}

function countTokens(request: RecordedRequest): Behaviour {
  if (typeof request.headers['x-api-key'] !== 'string')
    return {
      kind: 'json',
      status: 401,
      body: {
        type: 'error',
        error: { type: 'authentication_error', message: 'x-api-key header is required' },
      },
    };
  return { kind: 'json', body: { input_tokens: fakeTokenCount(request.json as Json) } };
}

export function createAnthropicFake(): FakeUpstream {
  return new FakeUpstream({ 'POST /v1/messages': messages, 'POST /v1/messages/count_tokens': countTokens });
}
