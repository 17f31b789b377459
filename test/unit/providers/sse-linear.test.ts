import { describe, expect, it } from 'vitest';
import { findLineEnd, type LineEndScanner, SseLimitError, SseParser } from '../../../lib/ai/sse.js';

const MIB = 1 << 20;

/** The default scanner, counting every character it looks at. */
function countingScanner(): { scan: LineEndScanner; scanned: () => number } {
  let scanned = 0;
  const scan: LineEndScanner = (text, from) => {
    const end = findLineEnd(text, from);
    scanned += (end < 0 ? text.length : end + 1) - from;
    return end;
  };
  return { scan, scanned: () => scanned };
}

function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let at = 0; at < text.length; at += size) out.push(text.slice(at, at + size));
  return out;
}

/** Parses `chunks` with a counting scanner; returns the events and the characters scanned. */
function parseCounting(
  chunks: readonly string[],
  limits = { maxLineChars: 2 * MIB, maxEventChars: 2 * MIB },
) {
  const counter = countingScanner();
  const parser = new SseParser({ ...limits, scan: counter.scan });
  const events = chunks.flatMap((chunk) => parser.push(chunk));
  const end = parser.end();
  return { events: [...events, ...end.events], truncated: end.truncated, scanned: counter.scanned() };
}

describe('sse parser: work is linear in the characters received', () => {
  const line = `data: ${'x'.repeat(MIB)}`;
  const stream = `${line}\n\n`;

  it('scans each character of one 1 MiB line once, whether it comes whole, in 16-character or 1-character pieces', () => {
    const whole = parseCounting([stream]);
    const small = parseCounting(pieces(stream, 16));
    const single = parseCounting(pieces(stream, 1));

    expect(whole.events).toEqual([{ event: 'message', data: 'x'.repeat(MIB) }]);
    expect(small.events).toEqual(whole.events);
    expect(single.events).toEqual(whole.events);
    // Rescanning the unfinished line on every piece would scan ~n²/32 characters here (~34 billion).
    expect(whole.scanned).toBeLessThanOrEqual(stream.length);
    expect(small.scanned).toBeLessThanOrEqual(stream.length);
    expect(single.scanned).toBeLessThanOrEqual(stream.length);
  });

  it('scans each character once when one piece holds many short lines, with LF, CR or CRLF ends', () => {
    for (const newline of ['\n', '\r', '\r\n']) {
      const text = `data: a${newline}${newline}`.repeat(50_000);
      const { events, scanned } = parseCounting([text]);
      expect(events).toHaveLength(50_000);
      expect(scanned).toBeLessThanOrEqual(text.length);
    }
  });

  it('refuses a line that never ends as soon as it passes the bound, holding no more than one piece beyond it', () => {
    const parser = new SseParser({ maxLineChars: 1024 });
    let fed = 0;
    const feed = () => {
      for (const piece of pieces(`data: ${'y'.repeat(MIB)}`, 16)) {
        fed += piece.length;
        parser.push(piece);
      }
    };
    expect(feed).toThrow(SseLimitError);
    expect(fed).toBeGreaterThan(1024);
    expect(fed).toBeLessThanOrEqual(1024 + 16);
  });

  it('applies the line bound to a complete line in one piece as to the same line in many', () => {
    const text = `data: ${'z'.repeat(2000)}\n\n`;
    expect(() => new SseParser({ maxLineChars: 1024 }).push(text)).toThrow(SseLimitError);
    const split = new SseParser({ maxLineChars: 1024 });
    expect(() => pieces(text, 7).flatMap((piece) => split.push(piece))).toThrow(SseLimitError);
  });

  it('keeps a CRLF split across pieces as one line end and reports a final line cut mid-way', () => {
    const { events, truncated } = parseCounting(['data: a\r', '\ndata: b\r', '\n\r', '\ndata: c']);
    expect(events).toEqual([{ event: 'message', data: 'a\nb' }]);
    expect(truncated).toBe(true);
  });
});
