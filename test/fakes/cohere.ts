/**
 * A fake Cohere v2 API: `/v2/chat` (text echo or a tool call, streamed as `message-start`,
 * `content-delta`/`tool-call-*`, `message-end` with usage), `/v2/embed` (float embeddings by type,
 * billed tokens) and `/v2/rerank` (scores by word overlap, search units).
 */
import { type Behaviour, FakeUpstream, type RecordedRequest, type SseScript } from './server.js';

type Json = Record<string, unknown>;

export const COHERE_USAGE = {
  billed_units: { input_tokens: 9, output_tokens: 4 },
  tokens: { input_tokens: 70, output_tokens: 4 },
};

function lastUserText(messages: Json[]): string {
  const last = messages.at(-1);
  if (last?.role === 'tool') return `tool said ${String(last.content)}`;
  const user = [...messages].reverse().find((m) => m.role === 'user');
  const content = user?.content;
  if (typeof content === 'string') return content;
  return ((content as Json[] | undefined) ?? [])
    .filter((p) => p.type === 'text')
    .map((p) => p.text)
    .join('');
}

function toolToCall(body: Json): string | undefined {
  const tools = body.tools as Json[] | undefined;
  if (
    tools === undefined ||
    tools.length === 0 ||
    body.tool_choice === 'NONE' ||
    (body.messages as Json[]).at(-1)?.role === 'tool'
  )
    return undefined;
  return (tools[0]!.function as Json).name as string;
}

function chatEvents(body: Json): SseScript[] {
  const ev = (type: string, data: Json): SseScript => ({ event: type, data: { type, ...data } });
  const events: SseScript[] = [
    ev('message-start', { id: 'cohere-fake', delta: { message: { role: 'assistant' } } }),
  ];
  const tool = toolToCall(body);
  if (tool) {
    events.push(ev('tool-plan-delta', { delta: { message: { tool_plan: 'I will look it up.' } } }));
    events.push(
      ev('tool-call-start', {
        index: 0,
        delta: {
          message: {
            tool_calls: { id: 'cohere_call_1', type: 'function', function: { name: tool, arguments: '' } },
          },
        },
      }),
    );
    events.push(
      ev('tool-call-delta', {
        index: 0,
        delta: { message: { tool_calls: { function: { arguments: '{"city":' } } } },
      }),
    );
    events.push(
      ev('tool-call-delta', {
        index: 0,
        delta: { message: { tool_calls: { function: { arguments: '"Paris"}' } } } },
      }),
    );
    events.push(ev('tool-call-end', { index: 0 }));
  } else {
    events.push(
      ev('content-start', { index: 0, delta: { message: { content: { type: 'text', text: '' } } } }),
    );
    for (const word of `echo: ${lastUserText(body.messages as Json[])}`.match(/\S+\s*/g) ?? []) {
      events.push(ev('content-delta', { index: 0, delta: { message: { content: { text: word } } } }));
    }
    events.push(ev('content-end', { index: 0 }));
  }
  events.push(
    ev('message-end', { delta: { finish_reason: tool ? 'TOOL_CALL' : 'COMPLETE', usage: COHERE_USAGE } }),
  );
  return events;
}

function chat(request: RecordedRequest): Behaviour {
  const body = request.json as Json;
  if (body.stream === true) return { kind: 'sse', events: chatEvents(body) };
  const tool = toolToCall(body);
  const message = tool
    ? {
        role: 'assistant',
        tool_plan: 'I will look it up.',
        tool_calls: [
          { id: 'cohere_call_1', type: 'function', function: { name: tool, arguments: '{"city":"Paris"}' } },
        ],
      }
    : {
        role: 'assistant',
        content: [{ type: 'text', text: `echo: ${lastUserText(body.messages as Json[])}` }],
      };
  return {
    kind: 'json',
    body: { id: 'cohere-fake', finish_reason: tool ? 'TOOL_CALL' : 'COMPLETE', message, usage: COHERE_USAGE },
  };
}

function embed(request: RecordedRequest): Behaviour {
  const body = request.json as Json;
  const texts = body.texts as string[];
  const size = (body.output_dimension as number | undefined) ?? 3;
  const float = texts.map((_, i) => Array.from({ length: size }, (_, j) => (j === 0 ? i + 0.5 : 0.125)));
  return {
    kind: 'json',
    body: {
      id: 'embed-fake',
      embeddings: { float },
      texts,
      meta: { billed_units: { input_tokens: 5 * texts.length } },
    },
  };
}

function overlap(query: string, doc: string): number {
  const words = new Set(query.toLowerCase().split(/\W+/).filter(Boolean));
  const hits = doc
    .toLowerCase()
    .split(/\W+/)
    .filter((w) => words.has(w)).length;
  return hits / Math.max(1, words.size);
}

function rerank(request: RecordedRequest): Behaviour {
  const body = request.json as Json;
  const docs = body.documents as string[];
  const results = docs
    .map((doc, index) => ({ index, relevance_score: overlap(body.query as string, doc) }))
    .sort((a, b) => b.relevance_score - a.relevance_score);
  const top = typeof body.top_n === 'number' ? results.slice(0, body.top_n) : results;
  return {
    kind: 'json',
    body: { id: 'rerank-fake', results: top, meta: { billed_units: { search_units: 1 } } },
  };
}

export function createCohereFake(): FakeUpstream {
  return new FakeUpstream({ 'POST /v2/chat': chat, 'POST /v2/embed': embed, 'POST /v2/rerank': rerank });
}
