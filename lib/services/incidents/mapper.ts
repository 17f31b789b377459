/**
 * Incident items and their public view; the bounded timeline. An incident keeps at most
 * {@link MAX_TIMELINE} entries: the first (`opened`) and the latest ones, with a count of what was
 * dropped between them, so a chatty incident never approaches DynamoDB's 400 KB item limit.
 */
import type { Incident, TimelineEntry } from '../../schemas/incidents.js';
import type { Item } from '../../store/table.js';

/** Most timeline entries kept on an incident (notes are ≤ 2,000 characters: ≤ ~110 KB in all). */
export const MAX_TIMELINE = 50;

/** Actor of what the health checker does. */
export const SYSTEM = 'system';

/** Appends an entry, dropping the oldest after the first when the list is full. */
export function appendTimeline(
  timeline: TimelineEntry[],
  dropped: number,
  entry: TimelineEntry,
): { timeline: TimelineEntry[]; timeline_dropped: number } {
  const next = [...timeline, entry];
  if (next.length <= MAX_TIMELINE) return { timeline: next, timeline_dropped: dropped };
  const excess = next.length - MAX_TIMELINE;
  return {
    timeline: [next[0] as TimelineEntry, ...next.slice(1 + excess)],
    timeline_dropped: dropped + excess,
  };
}

/** Whole seconds between two ISO instants (never negative). */
export function secondsBetween(fromIso: string, toIso: string): number {
  return Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
}

const nullable = (value: unknown) => (typeof value === 'string' ? value : null);

/** The public view of a stored incident; an unresolved one's duration runs to `nowIso`. */
export function toIncident(item: Item, nowIso: string): Incident {
  const resolvedAt = nullable(item.resolved_at);
  const openedAt = String(item.opened_at);
  return {
    id: String(item.id),
    provider_id: String(item.provider_id),
    title: String(item.title),
    severity: item.severity as Incident['severity'],
    description: nullable(item.description),
    status: item.status as Incident['status'],
    source: item.source === 'automatic' ? 'automatic' : 'manual',
    opened_at: openedAt,
    acknowledged_at: nullable(item.acknowledged_at),
    resolved_at: resolvedAt,
    duration_seconds:
      typeof item.duration_seconds === 'number' ? item.duration_seconds : secondsBetween(openedAt, nowIso),
    timeline: ((item.timeline ?? []) as TimelineEntry[]).map((e) => ({
      at: e.at,
      type: e.type,
      actor: e.actor,
      note: e.note ?? null,
    })),
    timeline_dropped: Number(item.timeline_dropped ?? 0),
    version: Number(item.version),
    created_at: String(item.created_at),
    updated_at: String(item.updated_at),
  };
}
