/**
 * What the mock answers: deterministic functions of the request, clearly marked as mock (`[mock]`
 * text, `mock-` ids, `system_fingerprint: "mock"`).
 */
import { createHash } from 'node:crypto';
import { contentText } from '../../ai/chat-builders.js';
import type { ChatCompletionRequest, ChatMessage, ToolCall } from '../../ai/types.js';

const MAX_ECHO = 2000;

/** The text reply: an echo of the last user message. */
export function mockReplyText(request: ChatCompletionRequest): string {
  const lastUser = [...request.messages]
    .reverse()
    .find((m): m is Extract<ChatMessage, { role: 'user' }> => m.role === 'user');
  const text = lastUser === undefined ? '' : contentText(lastUser.content);
  const images =
    lastUser !== undefined && typeof lastUser.content !== 'string'
      ? lastUser.content.filter((p) => p.type === 'image_url').length
      : 0;
  const echo = text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO)}…` : text;
  return `[mock] You said: ${echo}${images > 0 ? ` (with ${images} image${images > 1 ? 's' : ''})` : ''}`;
}

/** A tool call when the request requires one (`required` or a named function), else none. */
export function mockToolCall(request: ChatCompletionRequest, id: string): ToolCall | undefined {
  const choice = request.tool_choice;
  if (
    request.tools === undefined ||
    request.tools.length === 0 ||
    choice === undefined ||
    choice === 'none' ||
    choice === 'auto'
  ) {
    return undefined;
  }
  const name = typeof choice === 'object' ? choice.function.name : request.tools[0]!.function.name;
  return { id: `call_mock_${id}`, type: 'function', function: { name, arguments: '{}' } };
}

/** A unit vector derived from the text's SHA-256 (same text, same vector). */
export function mockVector(text: string, dimensions: number): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block++) {
    const digest = createHash('sha256').update(`${block}:${text}`).digest();
    for (let i = 0; i + 1 < digest.length && values.length < dimensions; i += 2) {
      values.push(digest.readUInt16BE(i) / 32767.5 - 1);
    }
  }
  const norm = Math.hypot(...values) || 1;
  return values.map((v) => v / norm);
}

/** Share of the query's words found in the document, in 0..1. */
export function mockRelevance(query: string, document: string): number {
  const words = new Set(query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
  if (words.size === 0) return 0;
  const doc = new Set(document.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
  let hits = 0;
  for (const word of words) if (doc.has(word)) hits++;
  return hits / words.size;
}

/** A short WAV of silence (8 kHz, 8-bit mono, 100 ms). */
export function silentWav(): Uint8Array {
  const samples = 800;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(8000, 28);
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples, 40);
  return new Uint8Array(Buffer.concat([header, Buffer.alloc(samples, 128)]));
}

/** Audio passed on in pieces as a provider streams it: the WAV header, then its samples. */
export async function* wavPieces(wav: Uint8Array): AsyncGenerator<Uint8Array, void> {
  yield wav.subarray(0, 44);
  yield wav.subarray(44);
}
