import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { anthropicMessagesRequestSchema } from '../../../lib/ai/schemas/anthropic-messages.js';
import { chatCompletionRequestSchema } from '../../../lib/ai/schemas/chat.js';
import {
  embeddingsRequestSchema,
  rerankRequestSchema,
  speechRequestSchema,
} from '../../../lib/ai/schemas/operations.js';
import { findSteeringField, MAX_BODY_DEPTH } from '../../../lib/ai/schemas/steering.js';

const chat = (extra: Record<string, unknown> = {}) => ({
  model: 'gpt-4o',
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});

describe('request schemas: callers cannot steer the upstream', () => {
  it.each([
    ['base_url at the top', chat({ base_url: 'https://evil.example' })],
    ['api_base at the top', chat({ api_base: 'https://evil.example' })],
    ['apiKey in camelCase', chat({ apiKey: 'k' })],
    ['api-key with a dash', chat({ 'api-key': 'k' })],
    ['a host header nested in extra_body', chat({ extra_body: { headers: { Host: 'evil' } } })],
    ['base_url inside a message', chat({ messages: [{ role: 'user', content: 'hi', base_url: 'x' }] })],
    ['api_key inside stream_options', chat({ stream_options: { include_usage: true, api_key: 'k' } })],
    ['aws credentials', chat({ aws_secret_access_key: 'x' })],
  ])('refuses %s with a 422 naming the path', (_name, body) => {
    const result = chatCompletionRequestSchema.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/may not be set by a caller/);
  });

  it('allows tool parameters and JSON schemas that name such fields (they are data)', () => {
    const tool = {
      type: 'function',
      function: {
        name: 'connect',
        parameters: {
          type: 'object',
          properties: { api_key: { type: 'string' }, base_url: { type: 'string' } },
        },
      },
    };
    const body = chat({
      tools: [tool],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'r', schema: { properties: { host: { type: 'string' } } } },
      },
    });
    expect(chatCompletionRequestSchema.safeParse(body).success).toBe(true);
    const anthropic = {
      model: 'c',
      max_tokens: 10,
      messages: [
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 't', name: 'connect', input: { api_key: 'x' } }],
        },
      ],
    };
    expect(anthropicMessagesRequestSchema.safeParse(anthropic).success).toBe(true);
  });

  it('guards every operation schema', () => {
    expect(embeddingsRequestSchema.safeParse({ model: 'e', input: 'x', base_url: 'y' }).success).toBe(false);
    expect(
      rerankRequestSchema.safeParse({ model: 'r', query: 'q', documents: ['d'], api_key: 'k' }).success,
    ).toBe(false);
    expect(speechRequestSchema.safeParse({ model: 's', input: 'x', voice: 'v', endpoint: 'e' }).success).toBe(
      false,
    );
  });

  it('refuses bodies nested deeper than the bound', () => {
    let deep: unknown = 'x';
    for (let i = 0; i <= MAX_BODY_DEPTH + 1; i++) deep = { a: deep };
    expect(findSteeringField(deep)?.reason).toBe('too_deep');
  });

  it('strips unknown fields instead of forwarding them', () => {
    const parsed = chatCompletionRequestSchema.parse(chat({ logit_bias: { 1: 2 }, store: true }));
    expect(Object.keys(parsed)).toEqual(['model', 'messages']);
  });

  it('keeps OpenAI metadata for the request log (the chat call strips it before any adapter)', () => {
    const parsed = chatCompletionRequestSchema.parse(chat({ metadata: { team: 'a' } }));
    expect(parsed.metadata).toEqual({ team: 'a' });
  });
});

describe('request schemas: OpenAI chat shape', () => {
  it('accepts text and image parts, tools, tool results and the sampling fields', () => {
    const body = chat({
      messages: [
        { role: 'developer', content: 'be brief' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'see' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'high' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'ok' },
      ],
      tools: [{ type: 'function', function: { name: 'f' } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      temperature: 0.5,
      max_tokens: 10,
      stop: ['x'],
      n: 1,
      stream: true,
      stream_options: { include_usage: true },
      response_format: { type: 'json_object' },
    });
    expect(chatCompletionRequestSchema.safeParse(body).success).toBe(true);
  });

  it.each([
    [
      'an image URL with another scheme',
      chat({
        messages: [
          { role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] },
        ],
      }),
    ],
    [
      'an unknown content part',
      chat({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }),
    ],
    ['a temperature above 2', chat({ temperature: 3 })],
    ['no messages', chat({ messages: [] })],
    ['a tool name with spaces', chat({ tools: [{ type: 'function', function: { name: 'a b' } }] })],
  ])('refuses %s', (_name, body) => {
    expect(chatCompletionRequestSchema.safeParse(body).success).toBe(false);
  });

  it('documents as the inner schema in OpenAPI (the steering guard is invisible to docs)', () => {
    const schema = z.toJSONSchema(chatCompletionRequestSchema, { io: 'input', unrepresentable: 'any' }) as {
      properties?: Record<string, unknown>;
    };
    expect(Object.keys(schema.properties ?? {})).toEqual(
      expect.arrayContaining(['model', 'messages', 'tools', 'stream_options']),
    );
  });
});
