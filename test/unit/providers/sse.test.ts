import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatSseComment,
  formatSseEvent,
  type SseEvent,
  SseLimitError,
  SseParser,
} from '../../../lib/ai/sse.js';

function parseAll(pieces: readonly string[]): SseEvent[] {
  const parser = new SseParser();
  const events = pieces.flatMap((piece) => parser.push(piece));
  return [...events, ...parser.end().events];
}

/** Splits `text` at the given cut points (sorted, deduplicated, inside the text). */
function cut(text: string, points: number[]): string[] {
  const sorted = [...new Set(points.map((p) => p % (text.length + 1)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let start = 0;
  for (const point of sorted) {
    pieces.push(text.slice(start, point));
    start = point;
  }
  pieces.push(text.slice(start));
  return pieces;
}

describe('sse parser', () => {
  it('parses events with names, multi-line data, ids and comments', () => {
    const text =
      ': keep-alive\nevent: delta\ndata: {"a":1}\n\nid: 7\ndata: line one\ndata: line two\n\nretry: 1500\ndata:no-space\n\n';
    expect(parseAll([text])).toEqual([
      { event: 'delta', data: '{"a":1}' },
      { event: 'message', data: 'line one\nline two', id: '7' },
      { event: 'message', data: 'no-space', id: '7', retry: 1500 },
    ]);
  });

  it('accepts CRLF and CR line ends, a CRLF split across two reads, and a leading BOM', () => {
    expect(parseAll(['\uFEFFdata: a\r', '\n\r\ndata: b\r\rdata: c\n\n'])).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
      { event: 'message', data: 'c' },
    ]);
  });

  it('dispatches nothing for a blank event and ignores unknown fields', () => {
    expect(parseAll(['event: ping\n\nfoo: bar\n\n'])).toEqual([]);
  });

  it('reports a final line cut mid-way as truncated, but keeps a complete last event without its blank line', () => {
    const complete = new SseParser();
    complete.push('data: [DONE]\n');
    expect(complete.end()).toEqual({ events: [{ event: 'message', data: '[DONE]' }], truncated: false });
    const cutOff = new SseParser();
    cutOff.push('data: {"partial":');
    expect(cutOff.end()).toEqual({ events: [], truncated: true });
  });

  it('refuses a line longer than its bound, even before the line ends', () => {
    const parser = new SseParser({ maxLineChars: 16 });
    expect(() => parser.push(`data: ${'x'.repeat(32)}`)).toThrow(SseLimitError);
  });

  it('refuses an event whose data exceeds its bound across many lines', () => {
    const parser = new SseParser({ maxEventChars: 20 });
    expect(() => parser.push('data: 0123456789\ndata: 0123456789\ndata: x\n')).toThrow(SseLimitError);
  });
});

describe('sse writer', () => {
  it('writes each data line separately so line breaks survive', () => {
    expect(formatSseEvent({ event: 'message_start', data: 'a\nb', id: '1' })).toBe(
      'event: message_start\nid: 1\ndata: a\ndata: b\n\n',
    );
    expect(formatSseComment('ping\nx')).toBe(': ping x\n\n');
  });

  it('refuses an event name that would forge another field', () => {
    expect(() => formatSseEvent({ event: 'x\ndata: injected', data: '' })).toThrow(TypeError);
  });
});

const eventArb = fc.record({
  event: fc.option(fc.stringMatching(/^[a-z_-]{1,12}$/), { nil: undefined }),
  data: fc.string({ maxLength: 40 }).map((s) => s.replace(/\r\n?/g, '\n')),
});

describe('sse parser: properties', () => {
  it('any chunking of a serialized stream gives the same events (LF, CRLF or CR line ends)', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.array(fc.nat(2000), { maxLength: 20 }),
        (events, newline, points) => {
          const text = events.map((e) => formatSseEvent(e).replace(/\n/g, newline)).join('');
          const expected = events.map((e) => ({ event: e.event ?? 'message', data: e.data }));
          expect(parseAll(cut(text, points))).toEqual(expected);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('feeding one character at a time equals feeding everything at once', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 5 }), (events) => {
        const text = events.map((e) => formatSseEvent(e)).join('');
        expect(parseAll([...text])).toEqual(parseAll([text]));
      }),
      { numRuns: 200 },
    );
  });
});
