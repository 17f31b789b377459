/**
 * Shared test wiring for the provider layer: deps whose SSRF policy allow-lists exactly the fakes'
 * address (127.0.0.1/32), fake upstreams started and stopped around a test file, provider records
 * pointing at a fake, and helpers that fold a chunk stream back into text, tool calls and a finish
 * reason.
 */

import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { type AdapterDepsOptions, createAdapterDeps } from '../../lib/adapters/adapter-deps.js';
import type { AdapterDeps, Credential, ProviderRecord, ProviderType } from '../../lib/adapters/contract.js';
import type { ChatInvocation } from '../../lib/adapters/invoke.js';
import { invokeChat } from '../../lib/adapters/invoke.js';
import type { ChatCompletionChunk, FinishReason } from '../../lib/ai/types.js';
import { UpstreamError } from '../../lib/upstream/errors.js';
import type { FakeUpstream } from './server.js';

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

/**
 * The provider-layer set-up of an adapter test file: starts `fakes` before its tests, clears their
 * scripts and records after each test, and after the last closes the provider view, then stops the
 * fakes. Call it at the top level of the file.
 *
 * @returns the same fakes, and `deps`: a provider view whose SSRF policy allow-lists the fakes'
 *   loopback address (`options` replace any of {@link testDeps}' settings).
 */
export function useFakeUpstreams<F extends Record<string, FakeUpstream>>(
  fakes: F,
  options: Partial<AdapterDepsOptions> = {},
): F & { deps: AdapterDeps } {
  const deps = testDeps(options);
  const all = Object.values(fakes);
  beforeAll(async () => {
    await Promise.all(all.map((fake) => fake.start()));
  });
  afterEach(() => {
    for (const fake of all) fake.reset();
  });
  afterAll(async () => {
    await deps.close();
    await Promise.all(all.map((fake) => fake.stop()));
  });
  return { ...fakes, deps };
}

/** Options of one {@link openAIChat} call. */
export interface ChatCallOptions {
  stream?: boolean;
  timeoutSeconds?: number;
  /** Absolute deadline, epoch ms. */
  deadline?: number;
  signal?: AbortSignal;
}

/**
 * A one-turn chat ("hi" to `gpt-4o`) through the openai adapter to `fake`, for tests of what the
 * adapter does with the answer rather than with the request. `provider` is the record it calls.
 */
export function openAIChat(fake: FakeUpstream, deps: AdapterDeps) {
  const provider = (timeoutSeconds = 5) => providerRecord('openai', `${fake.origin}/v1`, { timeoutSeconds });
  const chat = (options: ChatCallOptions = {}) =>
    invokeChat({
      provider: provider(options.timeoutSeconds),
      model: 'gpt-4o',
      request: userRequest('hi', options.stream ? { stream: true } : {}),
      credential: API_KEY,
      deps,
      ...(options.deadline === undefined ? {} : { deadline: options.deadline }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  return { provider, chat };
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

/**
 * Asserts that a chat answer is a stream that folds into one `get_weather` call for Paris with the
 * call id `id`, finished by `tool_calls`: what each adapter must make of its provider's streamed
 * tool call.
 */
export async function expectStreamedWeatherCall(result: ChatInvocation, id: string): Promise<void> {
  if (!result.stream) throw new Error('expected a stream');
  const folded = assemble(await collect(result.stream));
  expect(folded.toolCalls).toEqual([{ id, name: 'get_weather', arguments: '{"city":"Paris"}' }]);
  expect(folded.finish).toBe('tool_calls');
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
