import { api, errorText, list } from '../api.js';
import { empty, h, table, usd } from '../dom.js';
import { apiForm, confirmButton, openDialog } from '../forms.js';
import type { Provider } from './providers.js';
import type { ViewContext } from './types.js';

interface Model {
  model_id: string;
  model_type: string;
  is_active: boolean;
  pricing: { input_per_1m?: number; output_per_1m?: number; effective_from: string } | null;
}
const TYPES = ['llm', 'embedding', 'rerank', 'tts', 'stt', 'vision', 'image', 'moderation'];

const price = (n: number | undefined) => (n === undefined ? '—' : usd(n));

/** A provider's models and prices; writers add a model or change a price (in force from now). */
export function modelsDialog(ctx: ViewContext, p: Provider, opener: HTMLElement): void {
  const body = h('div', {}, h('p', { role: 'status' }, 'Loading…'));
  openDialog(`Models and prices of ${p.name}`, body, opener);
  const draw = async () => {
    let models: Model[];
    try {
      models = (await list<Model>(`/api/providers/models?provider_id=${p.id}&limit=100`)).data;
    } catch (error) {
      body.replaceChildren(h('p', { role: 'alert', class: 'error' }, errorText(error)));
      return;
    }
    const write = ctx.can('write');
    const rows = models.map((m) => [
      h('code', {}, m.model_id),
      m.model_type,
      price(m.pricing?.input_per_1m),
      price(m.pricing?.output_per_1m),
      m.is_active ? 'yes' : 'no',
      ...(write
        ? [
            confirmButton(
              'Delete',
              `Delete model ${m.model_id}`,
              `Delete ${m.model_id} from ${p.name}'s catalog? Routing stops sending it to this provider.`,
              async () => {
                await api('DELETE', `/api/providers/${p.id}/models/${encodeURIComponent(m.model_id)}`);
                await draw();
              },
            ),
          ]
        : []),
    ]);
    const list_ = models.length
      ? table(
          `${models.length} model(s) of ${p.name}`,
          [
            'Model',
            'Type',
            'Input / 1M tokens',
            'Output / 1M tokens',
            'Active',
            ...(write ? ['Actions'] : []),
          ],
          rows,
        )
      : empty('No models in this provider’s catalog yet.');
    if (!write) return body.replaceChildren(list_);
    const form = apiForm(
      'Add a model or set its price',
      [
        {
          name: 'model_id',
          label: 'Model id',
          required: true,
          help: 'An existing id changes that model’s price.',
        },
        {
          name: 'model_type',
          label: 'Model type',
          type: 'select',
          value: 'llm',
          options: TYPES.map((t) => [t, t]),
        },
        {
          name: 'pricing.input_per_1m',
          label: 'Input price, USD per 1M tokens',
          type: 'number',
          step: 'any',
        },
        {
          name: 'pricing.output_per_1m',
          label: 'Output price, USD per 1M tokens',
          type: 'number',
          step: 'any',
        },
      ],
      'Save model',
      async (values) => {
        const id = String(values.model_id ?? '');
        if (models.some((m) => m.model_id === id)) {
          const { model_id: _, ...patch } = values;
          await api('PATCH', `/api/providers/${p.id}/models/${encodeURIComponent(id)}`, patch);
        } else await api('POST', `/api/providers/${p.id}/models`, values);
        await draw();
        body.querySelector<HTMLElement>('input')?.focus();
      },
    );
    body.replaceChildren(list_, h('h4', {}, 'Add a model or set its price'), form);
  };
  void draw();
}
