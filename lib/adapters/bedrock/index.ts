/**
 * Amazon Bedrock through the AWS SDK: chat via Converse/ConverseStream (any model that supports
 * them), embeddings via InvokeModel (Titan, Cohere), image generation via InvokeModel (Nova Canvas,
 * Titan Image, Stability) and token counting via CountTokens (Claude models). No rerank, audio or
 * moderation. Auth: the function's IAM
 * role (`aws_iam`) or a Bedrock API key (`api_key`, sent as a bearer token). Metadata: `region`
 * (default: the function's), `embed_input_type`. `base_url`, when set, overrides the endpoint
 * (a VPC interface endpoint, or a fake in tests).
 */
import type { Operation, ProviderAdapter } from '../contract.js';
import { bedrockChat } from './chat.js';
import { bedrockCountTokens } from './count-tokens.js';
import { bedrockEmbeddings } from './embeddings.js';
import { bedrockImages } from './images.js';

const SUPPORTED: readonly Operation[] = ['chat', 'embeddings', 'images', 'count_tokens'];

/** The `bedrock` adapter (AWS SDK transport). */
export const bedrockAdapter: ProviderAdapter = {
  type: 'bedrock',
  baseUrlRule: 'optional',
  fetchesImageUrls: false,
  supports: (operation) => SUPPORTED.includes(operation),
  chat: bedrockChat,
  embeddings: bedrockEmbeddings,
  images: bedrockImages,
  countTokens: bedrockCountTokens,
};
