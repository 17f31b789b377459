/** A tiny element builder: text children are escaped by the DOM, never parsed as HTML. */
export type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | EventListener | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** One body row of cells already built. */
export const row = (cells: Child[]): HTMLTableRowElement => h('tr', {}, ...cells.map((c) => h('td', {}, c)));

/** A table with a caption; `rows` are cells already built. */
export function table(caption: string, head: string[], rows: Child[][]): HTMLTableElement {
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...rows.map(row)),
  );
}

/** An honest empty state: what is missing and why. */
export function empty(message: string): HTMLParagraphElement {
  return h('p', { class: 'empty' }, message);
}

/** A status pill whose meaning is in its text, not only its colour. */
export function pill(value: string): HTMLSpanElement {
  return h('span', { class: `pill pill-${value.replace(/[^a-z_]/g, '')}` }, value.replace(/_/g, ' '));
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' }) : '—';
}

export const usd = (n: number): string =>
  n.toLocaleString('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2 });

/** A secret shown once: a read-only field, a copy button and the warning that it will not be shown again. */
export function secretOnce(label: string, secret: string): HTMLElement {
  const id = `secret-${Math.random().toString(36).slice(2, 8)}`;
  const status = h('span', { role: 'status', class: 'help' });
  const input = h('input', {
    id,
    type: 'text',
    readonly: true,
    value: secret,
    class: 'secret',
    spellcheck: 'false',
  });
  const copy = h('button', { type: 'button' }, 'Copy');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(secret);
    } catch {
      input.select();
      document.execCommand('copy');
    }
    status.textContent = 'Copied to the clipboard.';
  });
  return h(
    'div',
    { class: 'secret-once' },
    h('label', { for: id }, label),
    h('div', { class: 'row' }, input, copy, status),
    h('p', { class: 'warning' }, 'Store it now: it is shown this once and cannot be read again.'),
  );
}

/** A button with a visible text and, where many rows share it, a label that names its row. */
export function action(
  text: string,
  label: string,
  onClick: (button: HTMLButtonElement) => void,
): HTMLButtonElement {
  const button = h('button', { type: 'button', 'aria-label': label }, text);
  button.addEventListener('click', () => onClick(button));
  return button;
}
