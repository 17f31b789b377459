import { api, errorText, raw } from '../api.js';
import { h } from '../dom.js';
import { apiForm, showErrors } from '../forms.js';
import type { ViewContext } from './types.js';

/** The text deltas of an OpenAI chat stream, as they arrive (`data: {...}` lines up to `[DONE]`). */
async function* deltas(res: Response): AsyncGenerator<string> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end = buffer.indexOf('\n');
    while (end >= 0) {
      const line = buffer.slice(0, end).trim();
      buffer = buffer.slice(end + 1);
      end = buffer.indexOf('\n');
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (data === '[DONE]') return;
      const chunk = JSON.parse(data) as {
        choices?: { delta?: { content?: string | null } }[];
        error?: { message?: string };
      };
      if (chunk.error) throw new Error(chunk.error.message ?? 'the stream failed');
      const text = chunk.choices?.[0]?.delta?.content;
      if (text) yield text;
    }
  }
}

/** A chat to any model the key may use, through /v1/chat/completions with `stream: true`, shown as it streams. */
export async function playgroundView(_ctx: ViewContext): Promise<HTMLElement> {
  const models = await api<{ data: { id: string }[] }>('GET', '/v1/models');
  const answer = h('div', {
    class: 'answer',
    id: 'playground-answer',
    role: 'region',
    'aria-live': 'polite',
    'aria-labelledby': 'playground-answer-title',
  });
  const state = h('p', { role: 'status', class: 'help', id: 'playground-state' });
  let controller: AbortController | undefined;
  const stop = h('button', { type: 'button', disabled: true }, 'Stop');
  stop.addEventListener('click', () => controller?.abort());
  const form = apiForm(
    'Chat',
    [
      {
        name: 'model',
        label: 'Model',
        type: 'select',
        options: models.data.map((m): [string, string] => [m.id, m.id]),
      },
      { name: 'system', label: 'System prompt (optional)', type: 'textarea' },
      { name: 'message', label: 'Message', type: 'textarea', required: true },
      { name: 'max_tokens', label: 'Most output tokens', type: 'number', value: 512 },
    ],
    'Send',
    async (values, formEl) => {
      const messages = [
        ...(values.system ? [{ role: 'system', content: values.system }] : []),
        { role: 'user', content: values.message ?? '' },
      ];
      controller = new AbortController();
      stop.disabled = false;
      answer.textContent = '';
      state.textContent = 'Streaming…';
      const started = performance.now();
      try {
        const res = await raw('POST', '/v1/chat/completions', {
          body: { model: values.model, messages, max_tokens: values.max_tokens, stream: true },
          signal: controller.signal,
          accept: 'text/event-stream',
        });
        let first = 0;
        for await (const text of deltas(res)) {
          first ||= performance.now() - started;
          answer.append(text);
        }
        state.textContent = `Done in ${Math.round(performance.now() - started)} ms (first token after ${Math.round(first)} ms).`;
      } catch (error) {
        if (controller.signal.aborted) state.textContent = 'Stopped.';
        else {
          state.textContent = `Failed: ${errorText(error)}`;
          showErrors(formEl, error);
        }
      } finally {
        stop.disabled = true;
      }
    },
  );
  form.querySelector('.form-actions')?.append(stop);
  return h(
    'section',
    {},
    models.data.length
      ? form
      : h('p', { class: 'empty' }, 'This key may call no model yet: add a provider with models.'),
    state,
    h('h3', { id: 'playground-answer-title' }, 'Answer'),
    answer,
  );
}
