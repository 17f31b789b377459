/**
 * Forms and dialogs for the console's write actions. A field's `name` is the API body path it fills
 * (`retry_policy.max_attempts`, `targets.0.weight`), so the API's 422 details — which name the same
 * paths — land beside the field that caused them.
 */
import { ApiError, errorText } from './api.js';
import { h } from './dom.js';

export interface FieldSpec {
  /** The body path: dots nest objects, numeric parts index arrays. */
  name: string;
  label: string;
  type?: 'text' | 'number' | 'password' | 'select' | 'checkbox' | 'textarea' | 'url';
  value?: string | number | boolean | string[] | null;
  options?: [string, string][];
  multiple?: boolean;
  required?: boolean;
  help?: string;
  step?: string;
  /** Sent as a string even when it looks like a number (ids). */
  raw?: boolean;
}

let seq = 0;
const idFor = (name: string) => `f${++seq}-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** One labelled control with its help and an error slot it is described by. */
export function field(spec: FieldSpec): HTMLElement {
  const id = idFor(spec.name);
  const errId = `${id}-error`;
  const helpId = spec.help ? `${id}-help` : '';
  const common = {
    id,
    name: spec.name,
    required: spec.required,
    'aria-describedby': `${helpId} ${errId}`.trim(),
    'data-kind': spec.type ?? 'text',
  };
  let control: HTMLElement;
  if (spec.type === 'select') {
    const chosen = Array.isArray(spec.value) ? spec.value : [String(spec.value ?? '')];
    control = h(
      'select',
      { ...common, multiple: spec.multiple },
      ...(spec.options ?? []).map(([v, t]) => h('option', { value: v, selected: chosen.includes(v) }, t)),
    );
  } else if (spec.type === 'textarea') {
    control = h('textarea', { ...common, rows: 4 }, String(spec.value ?? ''));
  } else if (spec.type === 'checkbox') {
    control = h('input', { ...common, type: 'checkbox', checked: spec.value === true });
  } else {
    control = h('input', {
      ...common,
      type: spec.type ?? 'text',
      value: spec.value == null ? undefined : String(spec.value),
      step: spec.step,
      autocomplete: spec.type === 'password' ? 'new-password' : 'off',
      'data-raw': spec.raw,
    });
  }
  const box = h('div', {
    class: `form-field${spec.type === 'checkbox' ? ' check' : ''}`,
    'data-field': spec.name,
  });
  box.append(h('label', { for: id, class: spec.required ? 'required' : undefined }, spec.label), control);
  if (spec.help) box.append(h('p', { id: helpId, class: 'help' }, spec.help));
  box.append(h('p', { id: errId, class: 'field-error' }));
  return box;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Record<string, unknown> | unknown[] = target;
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    const key: string | number = /^\d+$/.test(part) ? Number(part) : part;
    const holder = node as Record<string | number, unknown>;
    if (last) holder[key] = value;
    else {
      holder[key] ??= /^\d+$/.test(parts[i + 1] ?? '') ? [] : {};
      node = holder[key] as Record<string, unknown>;
    }
  });
}

/** The body a form's fields describe: empty text and number fields are left out. */
export function formBody(form: HTMLFormElement): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const el of Array.from(form.elements)) {
    if (
      !(
        el instanceof HTMLInputElement ||
        el instanceof HTMLSelectElement ||
        el instanceof HTMLTextAreaElement
      )
    )
      continue;
    if (!el.name || el.disabled) continue;
    if (el instanceof HTMLInputElement && el.type === 'checkbox') setPath(body, el.name, el.checked);
    else if (el instanceof HTMLSelectElement && el.multiple) {
      const picked = Array.from(el.selectedOptions).map((o) => o.value);
      if (picked.length) setPath(body, el.name, picked);
    } else if (el.value.trim() !== '') {
      const numeric = el instanceof HTMLInputElement && el.type === 'number' && !el.dataset.raw;
      setPath(body, el.name, numeric ? Number(el.value) : el.value.trim());
    }
  }
  return body;
}

/** Clears shown errors, then puts each API detail beside its field (the longest matching path). */
export function showErrors(form: HTMLFormElement, error: unknown): void {
  const alert = form.querySelector<HTMLElement>('.form-error');
  for (const slot of Array.from(form.querySelectorAll<HTMLElement>('.field-error'))) slot.textContent = '';
  for (const c of Array.from(form.querySelectorAll('[aria-invalid]'))) c.removeAttribute('aria-invalid');
  if (alert) alert.textContent = '';
  if (!error) return;
  const boxes = Array.from(form.querySelectorAll<HTMLElement>('[data-field]'));
  const unplaced: string[] = [];
  let first: HTMLElement | undefined;
  const details = error instanceof ApiError ? error.details : [];
  for (const d of details) {
    // The field itself, else its nearest enclosing group, else the first field inside it.
    const score = (name: string) =>
      d.field === name
        ? 3e3
        : d.field.startsWith(`${name}.`)
          ? 2e3 + name.length
          : name.startsWith(`${d.field}.`)
            ? 1e3 - name.length
            : 0;
    const box = boxes
      .filter((b) => score(b.dataset.field ?? '') > 0)
      .sort((a, b) => score(b.dataset.field ?? '') - score(a.dataset.field ?? ''))[0];
    if (!box) {
      unplaced.push(`${d.field}: ${d.message}`);
      continue;
    }
    const slot = box.querySelector<HTMLElement>(':scope > .field-error')!;
    slot.textContent = slot.textContent ? `${slot.textContent}; ${d.message}` : d.message;
    const control = box.querySelector<HTMLElement>('input, select, textarea');
    if (box.tagName === 'FIELDSET') box.setAttribute('aria-invalid', 'true');
    control?.setAttribute('aria-invalid', 'true');
    first ??= control ?? undefined;
  }
  if (alert) alert.textContent = [errorText(error), ...unplaced].join(' — ');
  first?.focus();
}

/**
 * A form that sends its body with `submit`; the API's refusal is shown beside the fields, and the
 * submit button is disabled while the call runs.
 */
export function apiForm(
  label: string,
  fields: (HTMLElement | FieldSpec)[],
  submitText: string,
  submit: (body: Record<string, unknown>, form: HTMLFormElement) => Promise<void>,
): HTMLFormElement {
  const button = h('button', { type: 'submit', class: 'primary' }, submitText);
  const form = h(
    'form',
    { class: 'api-form', 'aria-label': label, novalidate: true },
    ...fields.map((f) => (f instanceof HTMLElement ? f : field(f))),
    h('p', { class: 'form-error', role: 'alert' }),
    h('div', { class: 'form-actions' }, button),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showErrors(form, undefined);
    button.disabled = true;
    try {
      await submit(formBody(form), form);
    } catch (error) {
      showErrors(form, error);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

/**
 * A modal dialog: focus moves into it, Escape or Close dismisses it, and focus returns to the
 * control that opened it. Returns a function that closes it.
 */
export function openDialog(title: string, body: Node, opener?: HTMLElement | null): () => void {
  const titleId = idFor('dialog-title');
  const returnTo = opener ?? (document.activeElement as HTMLElement | null);
  const dialog = h('dialog', { 'aria-labelledby': titleId, class: 'dialog' });
  const close = () => dialog.close();
  dialog.append(
    h(
      'div',
      { class: 'dialog-head' },
      h('h3', { id: titleId }, title),
      h('button', { type: 'button', class: 'close', onclick: close }, 'Close'),
    ),
    body,
  );
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (returnTo?.isConnected) returnTo.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  dialog
    .querySelector<HTMLElement>('input:not([type=hidden]), select, textarea, button:not(.close)')
    ?.focus();
  return close;
}

/** A button that asks before it acts (revoke, delete). */
export function confirmButton(
  text: string,
  label: string,
  question: string,
  act: () => Promise<void>,
): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'danger', 'aria-label': label }, text);
  button.addEventListener('click', () => {
    const status = h('p', { role: 'alert', class: 'form-error' });
    const yes = h('button', { type: 'button', class: 'danger' }, text);
    let close = () => {};
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      try {
        await act();
        close();
      } catch (error) {
        status.textContent = errorText(error);
        yes.disabled = false;
      }
    });
    close = openDialog(
      label,
      h('div', {}, h('p', {}, question), status, h('div', { class: 'form-actions' }, yes)),
      button,
    );
  });
  return button;
}

/** A group of fields with a legend and its own error slot (for rules about the group as a whole). */
export function group(name: string, legend: string, ...children: Node[]): HTMLFieldSetElement {
  const errId = idFor(`${name}-error`);
  return h(
    'fieldset',
    { 'data-field': name, 'aria-describedby': errId },
    h('legend', {}, legend),
    ...children,
    h('p', { id: errId, class: 'field-error' }),
  );
}
