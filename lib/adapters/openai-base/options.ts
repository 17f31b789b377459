/** What differs between OpenAI-compatible hosts; each provider on the base sets these. */
import type { CallContext, ProviderType } from '../contract.js';

/** Options of an OpenAI-compatible adapter. */
export interface OpenAICompatibleOptions {
  type: ProviderType;
  baseUrlRule: 'optional' | 'required';
  defaultBaseUrl?: string;
  /** Role sent for `developer` messages: OpenAI knows `developer`; most servers only `system`. */
  developerRole: 'developer' | 'system';
  /** `as_given` (OpenAI) or `max_tokens` (servers that do not know `max_completion_tokens`). */
  maxTokensField: 'as_given' | 'max_tokens';
  /** Whether to ask the upstream for base64 embeddings (else floats are fetched and encoded here). */
  base64Embeddings: boolean;
  /** Auth headers from the credential (`Authorization: Bearer` by default). */
  authHeaders: (ctx: CallContext) => Record<string, string>;
  /** Whether streams ask for usage (`stream_options`); default yes. Old servers may refuse the field. */
  streamUsage?: (ctx: CallContext) => boolean;
  /** Query parameters on every call (Azure's `api-version`). */
  query?: (ctx: CallContext) => Record<string, string> | undefined;
  /** Operations beyond chat this host serves (image generation and moderation: only where set). */
  operations: {
    embeddings: boolean;
    rerank: boolean;
    speech: boolean;
    transcription: boolean;
    images?: boolean;
    moderation?: boolean;
  };
}
