import { api, list } from '../api.js';
import { empty, h, when } from '../dom.js';
import type { HealthSummary } from './types.js';

interface Check {
  checked_at: string;
  result: 'ok' | 'error';
  latency_ms: number | null;
  error_class: string | null;
}

const DAY = 86_400_000;

/** One row of check marks for a provider over the last 24 hours, oldest first. */
function strip(name: string, checks: Check[]): HTMLElement {
  const ordered = [...checks].sort((a, b) => a.checked_at.localeCompare(b.checked_at));
  const failed = ordered.filter((c) => c.result === 'error').length;
  const label = `${name}: ${ordered.length} checks in 24 hours, ${failed} failed`;
  return h(
    'div',
    { class: 'strip-row' },
    h('span', { class: 'strip-name' }, name),
    ordered.length === 0
      ? h('span', { class: 'muted' }, 'No checks recorded in the last 24 hours.')
      : h(
          'ol',
          { class: 'strip', 'aria-label': label },
          ...ordered.map((c) =>
            h(
              'li',
              {
                class: `tick tick-${c.result}`,
                title: `${when(c.checked_at)}: ${c.result}${c.error_class ? ` (${c.error_class})` : ''}${c.latency_ms == null ? '' : `, ${c.latency_ms} ms`}`,
              },
              h('span', { class: 'sr-only' }, `${when(c.checked_at)} ${c.result}`),
            ),
          ),
        ),
  );
}

/** A health timeline: each provider's checks over the last day (green ok, red error with a mark). */
export async function healthView(): Promise<HTMLElement> {
  const summary = await api<HealthSummary>('GET', '/api/health/summary');
  if (summary.providers.length === 0) return empty('No providers, so no health checks to show.');
  const start = new Date(Date.now() - DAY).toISOString();
  const histories = await Promise.all(
    summary.providers.map((p) =>
      list<Check>(
        `/api/providers/${p.provider_id}/health-history?limit=100&start=${encodeURIComponent(start)}`,
      ),
    ),
  );
  return h(
    'section',
    { 'aria-label': 'Health timeline' },
    h(
      'p',
      { class: 'help' },
      'Last 24 hours, oldest on the left: a tall green mark is a passed check, a short red mark a failed one. Hover a mark for details.',
    ),
    ...summary.providers.map((p, i) => strip(p.name, histories[i]?.data ?? [])),
  );
}
