import { describe, expect, it } from 'vitest';
import { canonicalJson, normalizeRequest, requestKey } from '../../../lib/services/cache/request-key.js';

const messages = [{ role: 'user', content: 'hi' }];

describe('cache key: normalization', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"d":[2,1]},"b":1}');
  });

  it('hashes a request alike with or without its documented defaults, nulls or excluded fields', () => {
    const plain = requestKey('chat', { model: 'm', messages }, false);
    expect(requestKey('chat', { model: 'm', messages, temperature: 1, top_p: 1, n: 1 }, false)).toBe(plain);
    expect(requestKey('chat', { messages, model: 'm', seed: null, user: 'u-42' }, false)).toBe(plain);
    expect(requestKey('chat', { model: 'm', messages, stream_options: { include_usage: true } }, false)).toBe(
      plain,
    );
  });

  it('tells apart what changes the answer: sampling, model, operation, streaming, message order', () => {
    const plain = requestKey('chat', { model: 'm', messages }, false);
    const others = [
      requestKey('chat', { model: 'm', messages, temperature: 0 }, false),
      requestKey('chat', { model: 'n', messages }, false),
      requestKey('messages', { model: 'm', messages }, false),
      requestKey('chat', { model: 'm', messages }, true),
      requestKey('chat', { model: 'm', messages: [...messages, { role: 'user', content: 'more' }] }, false),
      requestKey('chat', { model: 'm', messages, seed: 7 }, false),
    ];
    expect(new Set([plain, ...others]).size).toBe(others.length + 1);
    expect(
      requestKey('chat', { model: 'm', messages, stream_options: { include_usage: true } }, true),
    ).not.toBe(requestKey('chat', { model: 'm', messages }, true));
  });

  it('fills embedding and rerank defaults', () => {
    expect(normalizeRequest('embeddings', { model: 'e', input: 'x' }, false)).toEqual({
      model: 'e',
      input: 'x',
      encoding_format: 'float',
    });
    expect(
      requestKey('rerank', { model: 'r', query: 'q', documents: ['a'], return_documents: false }, false),
    ).toBe(requestKey('rerank', { model: 'r', query: 'q', documents: ['a'] }, false));
  });
});
