/**
 * Request bodies of the non-chat operations, in OpenAI's formats (rerank in the Cohere/Jina format,
 * which OpenAI lacks). Each route schema sits behind the steering guard; unknown fields are stripped.
 */
import * as z from 'zod';
import { refuseUpstreamSteering } from './steering.js';

const model = z.string().min(1).max(256);

/** Most inputs in one embeddings call (OpenAI's limit). */
export const MAX_EMBEDDING_INPUTS = 2048;

/** An embeddings request body (OpenAI's, plus Cohere-style `input_type`). */
export const embeddingsBody = z.object({
  model,
  input: z.union([
    z.string().min(1),
    z.array(z.string().min(1)).min(1).max(MAX_EMBEDDING_INPUTS),
    z.array(z.number().int().min(0)).min(1).max(1_000_000),
    z
      .array(z.array(z.number().int().min(0)).min(1))
      .min(1)
      .max(MAX_EMBEDDING_INPUTS),
  ]),
  dimensions: z.number().int().min(1).max(16_384).optional(),
  encoding_format: z.enum(['float', 'base64']).optional(),
  user: z.string().max(256).optional(),
  /** Gateway extension for providers that distinguish queries from documents (Cohere). */
  input_type: z.enum(['search_document', 'search_query', 'classification', 'clustering']).optional(),
});
/** The route schema for `/v1/embeddings` and `/api/providers/embeddings`. */
export const embeddingsRequestSchema = refuseUpstreamSteering(embeddingsBody);

/** A rerank request body (Cohere/Jina style). */
export const rerankBody = z.object({
  model,
  query: z.string().min(1).max(100_000),
  documents: z
    .array(z.union([z.string(), z.object({ text: z.string() })]))
    .min(1)
    .max(10_000),
  top_n: z.number().int().min(1).max(10_000).optional(),
  return_documents: z.boolean().optional(),
});
/** The route schema for `/v1/rerank` and `/api/providers/rerank`. */
export const rerankRequestSchema = refuseUpstreamSteering(rerankBody);

/** Audio formats a speech request may ask for. */
export const SPEECH_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;

/** A text-to-speech request body. */
export const speechBody = z.object({
  model,
  input: z.string().min(1).max(4096),
  voice: z.string().min(1).max(64),
  response_format: z.enum(SPEECH_FORMATS).optional(),
  speed: z.number().min(0.25).max(4).optional(),
  instructions: z.string().max(4096).optional(),
});
/** The route schema for `/v1/audio/speech`. */
export const speechRequestSchema = refuseUpstreamSteering(speechBody);

/** Largest audio upload accepted for transcription, in bytes (OpenAI's limit). */
export const MAX_TRANSCRIPTION_BYTES = 25 * 1024 * 1024;

/**
 * The non-file fields of a `multipart/form-data` transcription request, as strings (multipart has no
 * types). The endpoint parses the form, validates these, and passes the file as {@link AudioFile}.
 */
export const transcriptionFields = z.object({
  model,
  language: z
    .string()
    .regex(/^[a-z]{2,3}(?:-[A-Za-z]{2,4})?$/)
    .optional(),
  prompt: z.string().max(10_000).optional(),
  response_format: z.enum(['json', 'text', 'verbose_json', 'srt', 'vtt']).optional(),
  temperature: z.coerce.number().min(0).max(1).optional(),
});
/** The route schema for the text fields of `/v1/audio/transcriptions`. */
export const transcriptionFieldsSchema = refuseUpstreamSteering(transcriptionFields);

/** The uploaded audio of a transcription request. */
export interface AudioFile {
  data: Uint8Array;
  filename: string;
  content_type: string;
}
