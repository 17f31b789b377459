/**
 * Shared test wiring for the provider layer: deps whose SSRF policy allow-lists exactly the fakes'
 * address (127.0.0.1/32), provider records pointing at a fake, and helpers that fold a chunk stream
 * back into text, tool calls and a finish reason.
 */

import { type AdapterDepsOptions, createAdapterDeps } from '../../lib/adapters/adapter-deps.js';
import type { AdapterDeps, Credential, ProviderRecord, ProviderType } from '../../lib/adapters/contract.js';
import type { ChatCompletionChunk, FinishReason } from '../../lib/ai/types.js';
import { UpstreamError } from '../../lib/upstream/errors.js';

/** The fakes listen on 127.0.0.1, which is allow-listed explicitly (nothing else private is). */
export const LOOPBACK_POLICY = { allowedPrivate: ['127.0.0.1/32'] };

/** A provider key for tests: obviously fake, not shaped like any real key. */
export const TEST_KEY = 'test-key-not-real-0001';
export const API_KEY: Credential = { type: 'api_key', value: TEST_KEY };
export const IAM: Credential = { type: 'aws_iam' };

export function testDeps(options: Partial<AdapterDepsOptions> = {}): AdapterDeps {
  return createAdapterDeps({
    policy: LOOPBACK_POLICY,
    defaultTimeoutSeconds: 5,
    region: 'us-east-1',
    awsCredentials: { accessKeyId: 'AKIDEXAMPLEFAKE', secretAccessKey: 'fake-secret-for-tests-only' },
    ...options,
  });
}

export function providerRecord(
  type: ProviderType,
  baseUrl: string | null,
  options: { metadata?: Record<string, unknown>; timeoutSeconds?: number; id?: string } = {},
): ProviderRecord {
  return {
    id: options.id ?? `prov_${type}`,
    provider_type: type,
    base_url: baseUrl,
    timeout_seconds: options.timeoutSeconds ?? 5,
    metadata: options.metadata ?? {},
  };
}

export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

/** Folds chunks (choice 0) into what a client would assemble. */
export function assemble(chunks: readonly ChatCompletionChunk[]): {
  text: string;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finish: FinishReason | null;
  roles: string[];
} {
  let text = '';
  let finish: FinishReason | null = null;
  const roles: string[] = [];
  const calls = new Map<number, { id: string; name: string; arguments: string }>();
  for (const chunk of chunks) {
    const choice = chunk.choices[0];
    if (choice === undefined) continue;
    if (choice.delta.role) roles.push(choice.delta.role);
    text += choice.delta.content ?? '';
    for (const call of choice.delta.tool_calls ?? []) {
      const current = calls.get(call.index) ?? { id: '', name: '', arguments: '' };
      if (call.id) current.id = call.id;
      if (call.function?.name) current.name = call.function.name;
      current.arguments += call.function?.arguments ?? '';
      calls.set(call.index, current);
    }
    finish = choice.finish_reason ?? finish;
  }
  return { text, toolCalls: [...calls.values()], finish, roles };
}

/** A chat request with one user turn. */
export function userRequest(text: string, extra: Record<string, unknown> = {}) {
  return { model: 'client-model', messages: [{ role: 'user' as const, content: text }], ...extra };
}

/** A weather tool, as OpenAI callers declare it. */
export const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/** A 1×1 PNG as a data URL. */
export const PNG_DATA_URL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** Awaits a promise that must reject with an `UpstreamError`, and returns the error. */
export async function upstreamFailure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof UpstreamError)) throw new Error(`expected an UpstreamError, got ${String(error)}`);
  return error;
}
