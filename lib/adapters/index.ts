/**
 * The provider layer's public surface for services and endpoints. Import from here, not from a
 * provider's folder.
 */

export { UpstreamError, type UpstreamErrorType } from '../upstream/errors.js';
export { type AdapterDepsOptions, createAdapterDeps } from './adapter-deps.js';
export { ChatStream, type ChatStreamResult } from './chat-stream.js';
export type {
  AdapterDeps,
  Credential,
  Operation,
  ProviderRecord,
  ProviderType,
  StaticAwsCredentials,
} from './contract.js';
export {
  type ChatInvocation,
  countsTokensUpstream,
  type Invocation,
  type InvokeInput,
  type InvokeMeta,
  invokeChat,
  invokeCountTokens,
  invokeEmbeddings,
  invokeImages,
  invokeModeration,
  invokeRerank,
  invokeSpeech,
  invokeTranscription,
  providerSupports,
} from './invoke.js';
export { PROVIDER_ADAPTERS } from './registry.js';
