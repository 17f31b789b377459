/**
 * Recorded provider responses (`test/fixtures/recorded/`, sources in its README): loading one, and
 * turning it into a one-shot behaviour of a fake upstream that answers with the recorded status,
 * content type, headers and body bytes exactly (optionally in small pieces, one per event-loop
 * turn, to prove parsing does not depend on where the network splits a body).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Behaviour } from '../fakes/server.js';

/** One recording, as stored (the shape of `transcripts/` in the issue). */
export interface Recording {
  file: string;
  source: string;
  recorded: boolean;
  byte_exact: boolean | null;
  provider: string;
  request: any;
  status: number;
  headers: Record<string, string>;
  /** The body as text, or (binary bodies: the AWS event stream) `body_base64`. */
  body?: string;
  body_base64?: string;
  note: string;
  endpoint: { method: string; url: string; recorded_at: string | null };
}

export const RECORDINGS_DIR = fileURLToPath(new URL('../fixtures/recorded/', import.meta.url));

/** Every recording file name. */
export function recordingFiles(): string[] {
  return readdirSync(RECORDINGS_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort();
}

/** Loads one recording by file name. */
export function loadRecording(file: string): Recording {
  const parsed = JSON.parse(readFileSync(`${RECORDINGS_DIR}${file}`, 'utf8')) as Omit<Recording, 'file'>;
  return { file, ...parsed };
}

/** The recorded body, byte for byte. */
export function bodyBytes(recording: Recording): Buffer {
  if (recording.body_base64 !== undefined) return Buffer.from(recording.body_base64, 'base64');
  return Buffer.from(recording.body ?? '', 'utf8');
}

/** The recorded body parsed as JSON (for expectations). */
export function recordedJson(recording: Recording): any {
  return JSON.parse(bodyBytes(recording).toString('utf8'));
}

/**
 * A fake-upstream behaviour that answers with the recording: status, content type, the other
 * recorded headers (`content-length` is the server's own) and the exact body bytes.
 *
 * @param options.pieceBytes - send a 200 body this many bytes at a time (streams).
 */
export function replay(recording: Recording, options: { pieceBytes?: number } = {}): Behaviour {
  const {
    'content-type': contentType = 'application/json',
    'content-length': _length,
    ...headers
  } = recording.headers;
  const body = bodyBytes(recording);
  if (options.pieceBytes !== undefined && recording.status === 200) {
    return { kind: 'trickle', body, pieceBytes: options.pieceBytes, contentType };
  }
  return { kind: 'raw', status: recording.status, body, contentType, headers };
}
