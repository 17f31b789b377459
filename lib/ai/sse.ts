/**
 * Server-sent events (WHATWG HTML §9.2): an incremental parser for upstream streams and a writer for
 * ours. The parser takes text in arbitrary pieces (a CRLF may be split across two reads), accepts LF,
 * CR and CRLF line ends, joins multi-line `data:`, skips comments (`: ping`) and refuses lines and
 * events larger than its bounds, so a hostile upstream cannot make it buffer without limit.
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
  /** Longest single line (default 1 MiB). */
  maxLineChars: number;
  /** Largest `data` of one event (default 4 MiB). */
  maxEventChars: number;
}

/** Default parser bounds: 1 Mi characters per line, 4 Mi per event. */
export const DEFAULT_SSE_LIMITS: SseLimits = { maxLineChars: 1 << 20, maxEventChars: 4 << 20 };

/** The stream broke a bound; the caller turns it into a `bad_upstream_response`. */
export class SseLimitError extends Error {
  override name = 'SseLimitError';
}

const LINE_END = /\r\n|\r|\n/g;

/** An incremental parser; create one per stream. */
export class SseParser {
  private readonly limits: SseLimits;
  private partial = '';
  private skipLeadingLf = false;
  private started = false;
  private data: string[] = [];
  private dataChars = 0;
  private eventType = '';
  private lastId: string | undefined;
  private retry: number | undefined;

  constructor(limits: Partial<SseLimits> = {}) {
    this.limits = { ...DEFAULT_SSE_LIMITS, ...limits };
  }

  /**
   * Feeds the next piece of decoded text.
   *
   * @returns the events completed by this piece, in order.
   * @throws SseLimitError when a line or an event exceeds the limits.
   */
  push(chunk: string): SseEvent[] {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    if (this.skipLeadingLf && text.length > 0) {
      this.skipLeadingLf = false;
      if (text.startsWith('\n')) text = text.slice(1);
    }
    const events: SseEvent[] = [];
    const buffer = this.partial + text;
    let start = 0;
    LINE_END.lastIndex = 0;
    for (let match = LINE_END.exec(buffer); match !== null; match = LINE_END.exec(buffer)) {
      const event = this.line(buffer.slice(start, match.index));
      if (event !== undefined) events.push(event);
      start = match.index + match[0].length;
    }
    this.partial = buffer.slice(start);
    // A trailing CR may be the first half of a CRLF split across two reads.
    if (this.partial === '' && buffer.endsWith('\r')) this.skipLeadingLf = true;
    if (this.partial.length > this.limits.maxLineChars) {
      throw new SseLimitError(`an event stream line exceeds ${this.limits.maxLineChars} characters`);
    }
    return events;
  }

  /**
   * Ends the stream. An event whose lines were all complete but that lacked the closing blank line is
   * still dispatched (many servers omit it); a final line cut off mid-way is dropped.
   *
   * @returns the last event, if any, and `truncated`: the stream stopped inside a line.
   */
  end(): { events: SseEvent[]; truncated: boolean } {
    const truncated = this.partial !== '';
    this.partial = '';
    const last = this.dispatch();
    return { events: last === undefined ? [] : [last], truncated };
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
