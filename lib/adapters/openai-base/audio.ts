/**
 * OpenAI-compatible audio: speech (`POST {base}/audio/speech`, JSON in, audio bytes out) and
 * transcription (`POST {base}/audio/transcriptions`, multipart in, JSON or text out).
 */
import { field, isObject, num, path, str, tryParseJson } from '../../ai/read.js';
import type { SpeechRequest, TranscriptionRequest, TranscriptionResponse } from '../../ai/types.js';
import { MAX_AUDIO_SECONDS, type NormalizedUsage, quantity, tokenCount, usageFrom } from '../../ai/usage.js';
import { badUpstreamResponse } from '../../upstream/errors.js';
import type { ResponseHeaders } from '../../upstream/http-client.js';
import { buildMultipart } from '../../upstream/multipart.js';
import type { HttpWire, SpeechResult, StreamedBody, TranscriptionResult } from '../contract.js';
import type { OpenAICompatibleOptions } from './options.js';
import { compact } from './request.js';

const SPEECH_TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  opus: 'audio/opus',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
};

/** Largest synthesized audio accepted, in bytes (4096 characters of 24 kHz PCM is ~13 MB). */
export const MAX_SPEECH_BYTES = 25 * 1024 * 1024;

function headerText(headers: ResponseHeaders, name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/**
 * The speech wire: the audio is passed on as the provider produces it. Usage is the number of
 * characters synthesized (what TTS is billed by), known before the first byte.
 */
export function speechWire(
  options: OpenAICompatibleOptions,
): HttpWire<SpeechRequest, SpeechResult, StreamedBody> {
  return {
    request: (ctx, request) => ({
      path: '/audio/speech',
      query: options.query?.(ctx),
      maxResponseBytes: MAX_SPEECH_BYTES,
      json: compact({
        model: ctx.model,
        input: request.input,
        voice: request.voice,
        response_format: request.response_format,
        speed: request.speed,
        instructions: request.instructions,
      }),
    }),
    response: (ctx, body, headers, request) => {
      const provider = ctx.provider.provider_type;
      const type = headerText(headers, 'content-type').toLowerCase();
      if (body.empty || type.includes('json') || type.includes('html') || type.startsWith('text/')) {
        throw badUpstreamResponse(provider, `${provider} did not answer a speech request with audio`);
      }
      const contentType = type.startsWith('audio/')
        ? type
        : (SPEECH_TYPES[request.response_format ?? 'mp3'] ?? 'audio/mpeg');
      const usage: NormalizedUsage = { ...usageFrom({}), characters: [...request.input].length };
      return { audio: { audio: body.bytes, content_type: contentType }, usage };
    },
  };
}

function transcriptionUsage(body: unknown, provider: string): NormalizedUsage | null {
  const usage = field(body, 'usage');
  const seconds =
    quantity(path(usage, 'seconds'), 'seconds', provider, MAX_AUDIO_SECONDS) ??
    quantity(field(body, 'duration'), 'duration', provider, MAX_AUDIO_SECONDS);
  const input = tokenCount(path(usage, 'input_tokens'), 'input_tokens', provider);
  const output = tokenCount(path(usage, 'output_tokens'), 'output_tokens', provider);
  if (seconds === undefined && input === undefined && output === undefined) return null;
  return {
    ...usageFrom({ input, output }),
    ...(seconds === undefined ? {} : { audio_seconds: seconds }),
  };
}

function readTranscription(body: Buffer, format: string, provider: string): TranscriptionResult {
  const text = body.toString('utf8');
  if (format !== 'json' && format !== 'verbose_json') {
    return { response: { text: format === 'text' ? text.trim() : text, body_text: text }, usage: null };
  }
  const json = tryParseJson(text);
  const transcript = str(field(json, 'text'));
  if (!isObject(json) || transcript === undefined) {
    throw badUpstreamResponse(provider, `${provider} sent a transcription without text`);
  }
  const response: TranscriptionResponse = { text: transcript };
  const language = str(json.language);
  const duration = num(json.duration);
  if (language !== undefined) response.language = language;
  if (duration !== undefined) response.duration = duration;
  return { response, usage: transcriptionUsage(json, provider) };
}

/** The transcription wire (multipart upload). */
export function transcriptionWire(
  options: OpenAICompatibleOptions,
): HttpWire<TranscriptionRequest, TranscriptionResult, Buffer> {
  return {
    request: (ctx, request) => {
      const fields: Record<string, string> = {
        model: ctx.model,
        response_format: request.response_format ?? 'json',
      };
      if (request.language !== undefined) fields.language = request.language;
      if (request.prompt !== undefined) fields.prompt = request.prompt;
      if (request.temperature !== undefined) fields.temperature = String(request.temperature);
      const file = {
        name: 'file',
        filename: request.file.filename,
        contentType: request.file.content_type,
        data: request.file.data,
      };
      return {
        path: '/audio/transcriptions',
        query: options.query?.(ctx),
        raw: buildMultipart(fields, [file]),
      };
    },
    response: (ctx, body, _headers, request) =>
      readTranscription(body, request.response_format ?? 'json', ctx.provider.provider_type),
  };
}
