import { ACCESS, type Access, allows, type Role } from './roles.js';
import { listWithin, teamWithin } from './scope.js';

/**
 * What a key may do: its role; when scoped, the providers and models it may see; when limited, until
 * when (`expiresAt`, ISO) and how often (`rateLimitRpm`). Absent means unlimited in that dimension.
 */
export interface Grant {
  role: Role;
  providerIds?: readonly string[] | undefined;
  modelIds?: readonly string[] | undefined;
  expiresAt?: string | undefined;
  rateLimitRpm?: number | undefined;
  rateLimitTpm?: number | undefined;
  /** The key's team: a key of a team only makes, sees and manages keys of that team. */
  teamId?: string | undefined;
}

/** The dimensions in which one grant can exceed another, named as the API's fields. */
export type GrantField =
  | 'role'
  | 'provider_ids'
  | 'model_ids'
  | 'expires_at'
  | 'rate_limit_rpm'
  | 'rate_limit_tpm'
  | 'team_id';

/**
 * Whether `child` may do nothing that `parent` may not, by the route access classes themselves
 * (not a hand-kept rank): every class that admits `child` must admit `parent`. Viewer and invoke are
 * incomparable; operator covers both; admin covers all.
 */
export function roleWithin(child: Role, parent: Role): boolean {
  return (Object.keys(ACCESS) as Access[]).every(
    (access) => !allows(access, child) || allows(access, parent),
  );
}

/** An unlimited parent admits anything; a limited one only a child limited at least as much. */
function limitWithin(child: number | undefined, parent: number | undefined): boolean {
  if (parent === undefined) return true;
  return child !== undefined && child <= parent;
}

const epochMs = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));

/**
 * The ways `child` would exceed `parent` (empty when it does not). Used to refuse minting, rotating
 * into, or managing a key wider than the caller: a key that expires cannot mint one that outlives it,
 * and a rate-limited key cannot mint a faster or unlimited one.
 */
export function grantExcess(child: Grant, parent: Grant): GrantField[] {
  const excess: GrantField[] = [];
  if (!roleWithin(child.role, parent.role)) excess.push('role');
  if (!listWithin(child.providerIds, parent.providerIds)) excess.push('provider_ids');
  if (!listWithin(child.modelIds, parent.modelIds)) excess.push('model_ids');
  if (!limitWithin(epochMs(child.expiresAt), epochMs(parent.expiresAt))) excess.push('expires_at');
  if (!limitWithin(child.rateLimitRpm, parent.rateLimitRpm)) excess.push('rate_limit_rpm');
  if (!limitWithin(child.rateLimitTpm, parent.rateLimitTpm)) excess.push('rate_limit_tpm');
  if (!teamWithin(child.teamId, parent.teamId)) excess.push('team_id');
  return excess;
}

/** Whether `child` grants nothing beyond `parent` in any dimension. */
export function grantWithin(child: Grant, parent: Grant): boolean {
  return grantExcess(child, parent).length === 0;
}
