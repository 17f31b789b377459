import { errorText, type ListPage, list } from './api.js';
import { type Child, h, row, table } from './dom.js';

/**
 * A table of a paged list: the first page's rows and, while the API has more, a "Show more" button
 * that fetches the next page by its cursor and appends its rows (the caption keeps the count). A
 * failed fetch says why beside the button and leaves it there to try again.
 */
export function pagedTable<T>(input: {
  /** The caption for `count` rows shown, `more` while further pages remain. */
  caption: (count: number, more: boolean) => string;
  head: string[];
  first: ListPage<T>;
  cells: (item: T) => Child[];
  /** The list's path for the page at `cursor`. */
  path: (cursor: string) => string;
}): HTMLElement {
  let count = input.first.data.length;
  let cursor = input.first.nextCursor;
  const shown = table(input.caption(count, cursor !== null), input.head, input.first.data.map(input.cells));
  shown.tabIndex = -1;
  const status = h('p', { role: 'status', class: 'help' });
  const more = h('button', { type: 'button' }, 'Show more');
  more.addEventListener('click', async () => {
    if (cursor === null) return;
    more.disabled = true;
    more.setAttribute('aria-busy', 'true');
    try {
      const page = await list<T>(input.path(cursor));
      shown.tBodies[0]?.append(...page.data.map((item) => row(input.cells(item))));
      count += page.data.length;
      cursor = page.nextCursor;
      shown.caption!.textContent = input.caption(count, cursor !== null);
      status.textContent = `${page.data.length} more shown.`;
      if (cursor === null) {
        more.remove();
        shown.focus();
      }
    } catch (error) {
      status.textContent = errorText(error);
    } finally {
      more.disabled = false;
      more.removeAttribute('aria-busy');
    }
  });
  return h('div', { class: 'paged' }, shown, cursor === null ? null : more, status);
}
