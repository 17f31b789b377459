/**
 * The gateway's canonical AI contract: OpenAI's formats. Requests are the outputs of the route
 * schemas (`schemas/`); responses and stream chunks are what `/v1/*` returns. Adapters translate
 * between these and each provider's wire format; nothing else in the gateway knows a provider's shape.
 *
 * Units: `created` is epoch seconds (as OpenAI); usage counts are tokens unless named otherwise.
 */
import type * as z from 'zod';
import type {
  cacheControl,
  chatCompletionBody,
  chatMessage,
  contentPart,
  functionTool,
  textPart,
  toolCall,
} from './schemas/chat.js';
import type { imageGenerationBody, moderationBody } from './schemas/images.js';
import type {
  AudioFile,
  embeddingsBody,
  rerankBody,
  speechBody,
  transcriptionFields,
} from './schemas/operations.js';
import type { thinkingBlock, thinkingConfig } from './schemas/thinking.js';
import type { NormalizedUsage, OpenAIUsage } from './usage.js';

export type { AudioFile } from './schemas/operations.js';
export type { NormalizedUsage, OpenAIUsage } from './usage.js';

/** A validated chat completion request (canonical). */
export type ChatCompletionRequest = z.output<typeof chatCompletionBody>;
/** One validated chat message. */
export type ChatMessage = z.output<typeof chatMessage>;
/** A text or image part of a user message. */
export type ContentPart = z.output<typeof contentPart>;
/** A text part (user, system or developer content). */
export type TextPart = z.output<typeof textPart>;
/** A prompt-cache breakpoint (`cache_control`). */
export type CacheControl = z.output<typeof cacheControl>;
/** A tool call (`arguments` is a JSON string). */
export type ToolCall = z.output<typeof toolCall>;
/** A function tool offered to the model. */
export type FunctionTool = z.output<typeof functionTool>;
/** A `thinking` (signed) or `redacted_thinking` block, carried unchanged. */
export type ThinkingBlock = z.output<typeof thinkingBlock>;
/** Anthropic's `thinking` parameter. */
export type ThinkingConfig = z.output<typeof thinkingConfig>;

/** Why generation stopped, in OpenAI's terms (each adapter maps its provider's reasons). */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/** The assistant's message in a complete answer. */
export interface AssistantMessage {
  role: 'assistant';
  content: string | null;
  tool_calls?: ToolCall[];
  refusal?: string | null;
  /** The model's reasoning text (all thinking blocks' text, or an OpenAI-compatible host's `reasoning_content`). */
  reasoning_content?: string;
  /** The thinking blocks, in order, with their signatures: what a client sends back in the next turn. */
  thinking_blocks?: ThinkingBlock[];
}

/** One choice of a complete answer. */
export interface ChatChoice {
  index: number;
  message: AssistantMessage;
  finish_reason: FinishReason;
  logprobs: null;
}

/** A complete (non-streamed) chat answer: OpenAI's `chat.completion`. */
export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: ChatChoice[];
  usage: OpenAIUsage;
  system_fingerprint?: string | null;
}

/** One fragment of a tool call in a stream; `index` identifies the call across chunks. */
export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

/** What one chunk adds to a choice. */
export interface ChunkDelta {
  role?: 'assistant';
  content?: string | null;
  tool_calls?: ToolCallDelta[];
  refusal?: string | null;
  /** A fragment of reasoning text (it belongs to the thinking block in progress). */
  reasoning_content?: string;
  /**
   * Ends of thinking blocks: a `thinking` block's signature (its text came as `reasoning_content`
   * since the previous block, so `thinking` is empty here), or a whole `redacted_thinking` block.
   */
  thinking_blocks?: ThinkingBlock[];
}

/** One choice of a chunk; `finish_reason` is set on the last chunk of the choice. */
export interface ChunkChoice {
  index: number;
  delta: ChunkDelta;
  finish_reason: FinishReason | null;
  logprobs?: null;
}

/** One streamed event: OpenAI's `chat.completion.chunk`. The usage chunk has `choices: []`. */
export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: ChunkChoice[];
  usage?: OpenAIUsage | null;
  system_fingerprint?: string | null;
}

/** A validated embeddings request. */
export type EmbeddingsRequest = z.output<typeof embeddingsBody>;

/** One vector, at the index of its input. */
export interface EmbeddingItem {
  object: 'embedding';
  index: number;
  /** Floats, or base64 of little-endian float32 when `encoding_format` was `base64`. */
  embedding: number[] | string;
}

/** OpenAI's embeddings answer. */
export interface EmbeddingsResponse {
  object: 'list';
  data: EmbeddingItem[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/** A validated rerank request. */
export type RerankRequest = z.output<typeof rerankBody>;

/** One scored document. */
export interface RerankResult {
  /** Position of the document in the request's `documents`. */
  index: number;
  relevance_score: number;
  document?: { text: string };
}

/** Cohere/Jina-style rerank answer: results sorted by descending `relevance_score`. */
export interface RerankResponse {
  id: string;
  model: string;
  results: RerankResult[];
  usage: { total_tokens: number; search_units?: number };
}

/** A validated speech request. */
export type SpeechRequest = z.output<typeof speechBody>;

/**
 * Synthesized audio: its bytes as the provider produces them, and their media type (`audio/mpeg`,
 * `audio/wav`, ...). `audio.return()` stops it early (closing the upstream), even unread.
 */
export interface SpeechAudio {
  audio: AsyncIterableIterator<Uint8Array>;
  content_type: string;
}

/** A validated transcription request with its audio file. */
export type TranscriptionRequest = z.output<typeof transcriptionFields> & { file: AudioFile };

/**
 * A transcription. `text` is always present; `body_text` holds the upstream's body verbatim when the
 * caller asked for a text format (`text`, `srt`, `vtt`), which the endpoint returns as `text/plain`.
 */
export interface TranscriptionResponse {
  text: string;
  language?: string;
  duration?: number;
  body_text?: string;
}

/** Per-result usage: `null` when the provider did not report it (never estimated here). */
export type ReportedUsage = NormalizedUsage | null;

/** A validated image generation request. */
export type ImageGenerationRequest = z.output<typeof imageGenerationBody>;

/** One generated image: base64 bytes or a URL, as the provider gave it. */
export interface GeneratedImage {
  b64_json?: string;
  url?: string;
  revised_prompt?: string;
}

/** OpenAI's `ImagesResponse`; `size`, `quality` and `usage` where the provider reports them. */
export interface ImagesResponse {
  created: number;
  data: GeneratedImage[];
  size?: string;
  quality?: string;
  background?: string;
  output_format?: string;
  usage?: { input_tokens: number; output_tokens: number; total_tokens: number };
}

/** A validated moderation request (`model` filled with the default when the caller named none). */
export type ModerationRequest = z.output<typeof moderationBody> & { model: string };

/** One moderation verdict: per category, whether it applies and a score in 0..1. */
export interface ModerationResult {
  flagged: boolean;
  categories: Record<string, boolean>;
  category_scores: Record<string, number>;
  category_applied_input_types?: Record<string, string[]>;
}

/** OpenAI's moderation answer. */
export interface ModerationResponse {
  id: string;
  model: string;
  results: ModerationResult[];
}

/** A token count: the input tokens a Messages request would use. */
export interface TokenCount {
  input_tokens: number;
}
