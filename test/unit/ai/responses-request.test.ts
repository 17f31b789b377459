/**
 * The Responses request side without a gateway: what the schema refuses with a 400 marker (and
 * what stays a 422), the types it implies, and how a conversation becomes a canonical chat request.
 */
import { describe, expect, it } from 'vitest';
import { keptInput, responsesRequestSchema, responsesToCanonical } from '../../../lib/ai/responses-compat.js';
import type { ResponsesRequest } from '../../../lib/ai/schemas/responses.js';
import { unsupportedParams, ValidationError } from '../../../lib/errors.js';

const RESP = 'resp_01jz0000000000000000000000';

function parse(body: Record<string, unknown>) {
  return responsesRequestSchema.safeParse({ model: 'm', ...body });
}
function marked(body: Record<string, unknown>) {
  const result = parse(body);
  if (result.success) throw new Error('expected a refusal');
  return result.error.issues.map((issue) => ({
    path: issue.path.join('.'),
    code: unsupportedParams(issue)?.code,
  }));
}
function request(body: Record<string, unknown>): ResponsesRequest {
  const result = parse(body);
  if (!result.success) throw new Error(JSON.stringify(result.error.issues));
  return result.data as ResponsesRequest;
}
const canonical = (body: Record<string, unknown>) => {
  const req = request(body);
  return responsesToCanonical(req, keptInput(req.input ?? [], RESP) as never);
};

describe('responses schema: what no provider can serve', () => {
  it('marks unknown item types, built-in tools and background mode for a 400, each with its path', () => {
    expect(
      marked({
        input: [
          { role: 'user', content: 'hi' },
          { type: 'mcp_call', id: 'x' },
        ],
        tools: [{ type: 'image_generation' }],
        tool_choice: { type: 'web_search_preview' },
        background: true,
      }),
    ).toEqual([
      { path: 'background', code: 'unsupported_parameter' },
      { path: 'tools.0.type', code: 'unsupported_tool' },
      { path: 'tool_choice.type', code: 'unsupported_tool' },
      { path: 'input.1.type', code: 'unsupported_input' },
    ]);
  });

  it('keeps field rules and steering fields at 422 (no marker)', () => {
    expect(marked({ input: 'hi', max_output_tokens: 0 })).toEqual([
      { path: 'max_output_tokens', code: undefined },
    ]);
    expect(marked({ input: 'hi', metadata: { base_url: 'https://evil.example' } })).toEqual([
      { path: 'metadata.base_url', code: undefined },
    ]);
  });

  it('gives items without a type theirs: a message when they have a role, else a reference', () => {
    const req = request({ input: [{ role: 'developer', content: 'rules' }, { id: 'msg_x' }] });
    expect(req.input).toEqual([
      { type: 'message', role: 'developer', content: 'rules' },
      { type: 'item_reference', id: 'msg_x' },
    ]);
  });
});

describe('responses → chat', () => {
  it('puts instructions first and turns a string input into one user message', () => {
    expect(canonical({ input: 'hi', instructions: 'Be brief.', max_output_tokens: 50, user: 'u1' })).toEqual({
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      ],
      max_completion_tokens: 50,
      user: 'u1',
    });
  });

  it('joins function calls to the answer before them, turns outputs into tool messages, drops reasoning', () => {
    const out = canonical({
      input: [
        {
          role: 'user',
          content: [{ type: 'input_image', image_url: 'https://x.example/a.png', detail: 'original' }],
        },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'think' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.' }] },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
        { type: 'function_call', call_id: 'c2', name: 'g', arguments: '{"a":1}' },
        { type: 'function_call_output', call_id: 'c1', output: 'one' },
        { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'two' }] },
      ],
    });
    expect(out.messages).toEqual([
      {
        role: 'user',
        content: [{ type: 'image_url', image_url: { url: 'https://x.example/a.png', detail: 'high' } }],
      },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } },
          { id: 'c2', type: 'function', function: { name: 'g', arguments: '{"a":1}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'one' },
      { role: 'tool', tool_call_id: 'c2', content: 'two' },
    ]);
  });

  it('maps tools, tool_choice and text.format to their chat forms', () => {
    const out = canonical({
      input: 'hi',
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object' }, strict: true }],
      tool_choice: { type: 'function', name: 'f' },
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } },
    });
    expect(out.tools).toEqual([
      { type: 'function', function: { name: 'f', parameters: { type: 'object' }, strict: true } },
    ]);
    expect(out.tool_choice).toEqual({ type: 'function', function: { name: 'f' } });
    expect(out.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'answer', schema: { type: 'object' }, strict: true },
    });
    expect(canonical({ input: 'hi', text: { format: { type: 'json_object' } } }).response_format).toEqual({
      type: 'json_object',
    });
  });

  it('refuses a request with nothing to send (422 naming input)', () => {
    expect(() => canonical({ input: [] })).toThrow(ValidationError);
  });

  it('names input items after their response, keeping ids the caller sent', () => {
    const items = keptInput(
      [
        { type: 'message', role: 'user', content: 'a', id: 'mine' },
        { type: 'message', role: 'user', content: 'b' },
      ],
      RESP,
    );
    expect(items.map((item) => item.id)).toEqual(['mine', 'msg_01jz0000000000000000000000_i1']);
  });
});
