import { api, errorText, list } from '../api.js';
import { action, empty, h, pill, table, when } from '../dom.js';
import { apiForm, confirmButton, openDialog } from '../forms.js';
import type { Provider } from './providers.js';
import type { ViewContext } from './types.js';

interface Credential {
  id: string;
  name: string;
  credential_type: string;
  status: string;
  version: number;
  hint?: string;
  last_used_at: string | null;
  expires_at: string | null;
}

const VALUE_HELP = 'Typed once: it is encrypted at rest and never shown again, not even here.';

/**
 * A provider's credentials: add, rotate (a new value) and revoke. The value is typed into a
 * password field and never read back; the list shows only its last four characters.
 */
export function credentialsDialog(ctx: ViewContext, p: Provider, opener: HTMLElement): void {
  const body = h('div', {}, h('p', { role: 'status' }, 'Loading…'));
  openDialog(`Credentials of ${p.name}`, body, opener);
  const manage = ctx.can('secrets');
  const draw = async (focus?: string) => {
    let creds: Credential[];
    try {
      creds = (await list<Credential>(`/api/providers/${p.id}/credentials?limit=100`)).data;
    } catch (error) {
      body.replaceChildren(h('p', { role: 'alert', class: 'error' }, errorText(error)));
      return;
    }
    const rotate = (c: Credential, at: HTMLElement) => {
      let close = () => {};
      const form = apiForm(
        `Rotate ${c.name}`,
        [
          {
            name: 'credential_value',
            label: 'New value',
            type: 'password',
            required: true,
            help: VALUE_HELP,
          },
        ],
        'Rotate',
        async (values) => {
          await api('POST', `/api/providers/credentials/${c.id}/rotate`, values);
          close();
          await draw();
        },
      );
      close = openDialog(`Rotate credential ${c.name}`, form, at);
    };
    const rows = creds.map((c) => [
      h('span', { class: 'strong' }, c.name),
      c.credential_type,
      pill(c.status),
      c.hint ? h('code', {}, `…${c.hint}`) : '—',
      c.version,
      when(c.last_used_at),
      manage && c.status !== 'revoked'
        ? h(
            'span',
            { class: 'actions' },
            action('Rotate', `Rotate ${c.name}`, (b) => rotate(c, b)),
            confirmButton(
              'Revoke',
              `Revoke ${c.name}`,
              `Revoke “${c.name}”? Calls using it fail at once.`,
              async () => {
                await api('DELETE', `/api/providers/credentials/${c.id}`);
                await draw();
              },
            ),
          )
        : '—',
    ]);
    const shown = creds.length
      ? table(
          `${creds.length} credential(s)`,
          ['Name', 'Type', 'Status', 'Ends with', 'Version', 'Last used', 'Actions'],
          rows,
        )
      : empty('No credential stored: calls to this provider go out without one.');
    if (!manage) return body.replaceChildren(shown);
    const form = apiForm(
      'Add a credential',
      [
        { name: 'name', label: 'Credential name' },
        {
          name: 'credential_type',
          label: 'Credential type',
          type: 'select',
          value: 'api_key',
          options: [
            ['api_key', 'API key'],
            ['secret_ref', 'Secrets Manager ARN'],
            ['aws_iam', 'AWS IAM role (no value)'],
          ],
        },
        { name: 'credential_value', label: 'Value', type: 'password', help: VALUE_HELP },
      ],
      'Add credential',
      async (values) => {
        await api('POST', `/api/providers/${p.id}/credentials`, values);
        await draw(focus);
      },
    );
    body.replaceChildren(shown, h('h4', {}, 'Add a credential'), form);
    if (focus) body.querySelector<HTMLElement>(focus)?.focus();
  };
  void draw();
}
