import type { Team } from '../../schemas/teams.js';
import type { Item } from '../../store/table.js';

const list = (value: unknown): string[] | null =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : null;
const limit = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/** The public view of a stored team. */
export function toTeam(item: Item): Team {
  return {
    id: String(item.id),
    name: String(item.name),
    provider_ids: list(item.provider_ids),
    model_ids: list(item.model_ids),
    rate_limit_rpm: limit(item.rate_limit_rpm),
    rate_limit_tpm: limit(item.rate_limit_tpm),
    metadata: (item.metadata ?? {}) as Record<string, unknown>,
    version: Number(item.version),
    created_at: String(item.created_at),
    updated_at: String(item.updated_at),
  };
}

/** Whether a stored item is a team (and not a name claim). */
export const isTeamItem = (item: Item | undefined): item is Item => item?.entity === 'team';
