/**
 * Server-sent events (WHATWG HTML §9.2): an incremental parser for upstream streams and a writer for
 * ours. The parser takes text in arbitrary pieces (a CRLF may be split across two reads), accepts LF,
 * CR and CRLF line ends, joins multi-line `data:`, skips comments (`: ping`) and refuses lines and
 * events larger than its bounds, so a hostile upstream cannot make it buffer without limit.
 *
 * Its cost is linear in the characters received however they are split: each character is scanned
 * for a line end once (only the new piece is scanned; the unfinished line is kept as a list of pieces
 * and joined once, when its end arrives), and the line bound is checked as each piece is added.
 */

/** One dispatched event. `event` defaults to `message`, as in the browser's EventSource. */
export interface SseEvent {
  event: string;
  data: string;
  /** The last event id seen so far on this stream, if any. */
  id?: string;
  /** Reconnection time the server asked for, in milliseconds. */
  retry?: number;
}

/** Bounds of one parser, in UTF-16 code units. */
export interface SseLimits {
  /** Longest single line, complete or not (default 1 MiB). */
  maxLineChars: number;
  /** Largest `data` of one event (default 4 MiB). */
  maxEventChars: number;
}

/** Default parser bounds: 1 Mi characters per line, 4 Mi per event. */
export const DEFAULT_SSE_LIMITS: SseLimits = { maxLineChars: 1 << 20, maxEventChars: 4 << 20 };

/**
 * Finds the first CR or LF of `text` at or after index `from`.
 *
 * @returns its index, or -1 when the rest of `text` holds no line end.
 */
export type LineEndScanner = (text: string, from: number) => number;

const LINE_BREAK = /[\r\n]/g;
const CR = 13;
const LF = 10;

/** The default {@link LineEndScanner}: one pass of a character-class search from `from`. */
export const findLineEnd: LineEndScanner = (text, from) => {
  LINE_BREAK.lastIndex = from;
  const match = LINE_BREAK.exec(text);
  return match === null ? -1 : match.index;
};

/** Options of {@link SseParser}: bounds, and the line-end search (tests count its work). */
export interface SseParserOptions extends Partial<SseLimits> {
  scan?: LineEndScanner;
}

/** The stream broke a bound; the caller turns it into a `bad_upstream_response`. */
export class SseLimitError extends Error {
  override name = 'SseLimitError';
}

/** An incremental parser; create one per stream. */
export class SseParser {
  private readonly limits: SseLimits;
  private readonly scan: LineEndScanner;
  /** The unfinished line, as received: joined once, when its end arrives. */
  private pieces: string[] = [];
  private pendingChars = 0;
  private afterCr = false;
  private started = false;
  private data: string[] = [];
  private dataChars = 0;
  private eventType = '';
  private lastId: string | undefined;
  private retry: number | undefined;

  constructor(options: SseParserOptions = {}) {
    const { scan = findLineEnd, ...limits } = options;
    this.limits = { ...DEFAULT_SSE_LIMITS, ...limits };
    this.scan = scan;
  }

  /**
   * Feeds the next piece of decoded text. Scans only `chunk`, never what came before it.
   *
   * @returns the events completed by this piece, in order.
   * @throws SseLimitError when a line (as soon as its unfinished part is too long) or an event
   *   exceeds the limits.
   */
  push(chunk: string): SseEvent[] {
    if (chunk.length === 0) return [];
    let at = 0;
    if (!this.started) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) at = 1;
    }
    // A CR that ended the previous piece may be the first half of a CRLF.
    if (this.afterCr) {
      this.afterCr = false;
      if (chunk.charCodeAt(at) === LF) at++;
    }
    const events: SseEvent[] = [];
    for (let end = this.scan(chunk, at); end >= 0; end = this.scan(chunk, at)) {
      const event = this.line(this.complete(chunk.slice(at, end)));
      if (event !== undefined) events.push(event);
      at = end + 1;
      if (chunk.charCodeAt(end) === CR) {
        if (at === chunk.length) this.afterCr = true;
        else if (chunk.charCodeAt(at) === LF) at++;
      }
    }
    if (at < chunk.length) this.hold(at === 0 ? chunk : chunk.slice(at));
    return events;
  }

  /**
   * Ends the stream. An event whose lines were all complete but that lacked the closing blank line is
   * still dispatched (many servers omit it); a final line cut off mid-way is dropped.
   *
   * @returns the last event, if any, and `truncated`: the stream stopped inside a line.
   */
  end(): { events: SseEvent[]; truncated: boolean } {
    const truncated = this.pendingChars > 0;
    this.pieces = [];
    this.pendingChars = 0;
    const last = this.dispatch();
    return { events: last === undefined ? [] : [last], truncated };
  }

  /** Keeps the start of an unfinished line, refusing it once it is longer than a line may be. */
  private hold(piece: string): void {
    this.pendingChars += piece.length;
    this.checkLine(this.pendingChars);
    this.pieces.push(piece);
  }

  /** The whole line whose last piece is `tail`. */
  private complete(tail: string): string {
    if (this.pieces.length === 0) {
      this.checkLine(tail.length);
      return tail;
    }
    this.checkLine(this.pendingChars + tail.length);
    this.pieces.push(tail);
    const line = this.pieces.join('');
    this.pieces = [];
    this.pendingChars = 0;
    return line;
  }

  private checkLine(chars: number): void {
    if (chars > this.limits.maxLineChars) {
      throw new SseLimitError(`an event stream line exceeds ${this.limits.maxLineChars} characters`);
    }
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    this.field(field, value);
    return undefined;
  }

  private field(field: string, value: string): void {
    if (field === 'data') {
      this.dataChars += value.length + 1;
      if (this.dataChars > this.limits.maxEventChars) {
        throw new SseLimitError(`an event exceeds ${this.limits.maxEventChars} characters`);
      }
      this.data.push(value);
    } else if (field === 'event') {
      this.eventType = value;
    } else if (field === 'id' && !value.includes('\0')) {
      this.lastId = value;
    } else if (field === 'retry' && /^\d+$/.test(value)) {
      this.retry = Number(value);
    }
  }

  private dispatch(): SseEvent | undefined {
    const hadData = this.data.length > 0;
    const event: SseEvent = { event: this.eventType || 'message', data: this.data.join('\n') };
    if (this.lastId !== undefined) event.id = this.lastId;
    if (this.retry !== undefined) event.retry = this.retry;
    this.data = [];
    this.dataChars = 0;
    this.eventType = '';
    return hadData ? event : undefined;
  }
}

/** What {@link formatSseEvent} writes. */
export interface SseOutEvent {
  event?: string;
  data: string;
  id?: string;
  retry?: number;
}

function assertSingleLine(name: string, value: string): void {
  if (/[\r\n]/.test(value)) throw new TypeError(`SSE ${name} must not contain a line break`);
}

/**
 * Serializes one event: `event:`, `id:`, `retry:` when given, one `data:` line per line of `data`,
 * then the blank line that dispatches it. Line breaks inside `data` survive the round trip.
 *
 * @throws TypeError when `event` or `id` contains a line break (it would forge another field).
 */
export function formatSseEvent(event: SseOutEvent): string {
  let out = '';
  if (event.event !== undefined) {
    assertSingleLine('event', event.event);
    out += `event: ${event.event}\n`;
  }
  if (event.id !== undefined) {
    assertSingleLine('id', event.id);
    out += `id: ${event.id}\n`;
  }
  if (event.retry !== undefined) out += `retry: ${Math.max(0, Math.floor(event.retry))}\n`;
  for (const line of event.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A comment line (ignored by clients); useful as a keep-alive. */
export function formatSseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/** The OpenAI stream terminator. */
export const SSE_DONE = 'data: [DONE]\n\n';
