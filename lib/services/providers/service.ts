import { allows, type Principal } from '../../auth/roles.js';
import { isScoped } from '../../auth/scope.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors.js';
import { newId } from '../../ids.js';
import { validateUpstreamUrl } from '../../net/upstream-address.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Provider, ProviderCreate, ProviderPatch } from '../../schemas/providers.js';
import { keys } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import { type Actor, actorAttributes, canSeeProvider, outOfScope, scopedKeyRefused } from '../actor.js';
import { holdsLiveCredential, rebindCredentials } from '../credentials/rebind.js';
import { DEFAULT_BASE_URLS, NO_BASE_URL, REQUIRES_BASE_URL } from '../provider-defaults.js';
import { invalidateRoutingSnapshot } from '../routing/snapshot.js';
import { DESTINATION_FIELDS, destinationOf } from './destination.js';
import { toProvider } from './mapper.js';
import { claimName, releaseName, renameProvider } from './name-claims.js';

const NOT_FOUND = () => new NotFoundError('Provider');

/** Resolves and checks the upstream address for a provider type (SSRF rules apply at write time). */
function resolveBaseUrl(
  deps: Gateway,
  type: Provider['provider_type'],
  raw: string | undefined,
): string | undefined {
  if (NO_BASE_URL.includes(type)) {
    if (raw !== undefined) throw new ValidationError(`A ${type} provider takes no base_url.`);
    return undefined;
  }
  const value = raw ?? DEFAULT_BASE_URLS[type];
  if (value === undefined) {
    if (REQUIRES_BASE_URL.includes(type)) throw new ValidationError(`A ${type} provider needs a base_url.`);
    return undefined;
  }
  return validateUpstreamUrl(value, deps.upstreamPolicy).toString().replace(/\/$/, '');
}

/** `is_active` is shorthand for `status`; both given must agree. */
function resolveStatus(input: {
  status?: Provider['status'];
  is_active?: boolean;
}): Provider['status'] | undefined {
  const fromFlag = input.is_active === undefined ? undefined : input.is_active ? 'active' : 'inactive';
  if (input.status && fromFlag && (input.status === 'active') !== input.is_active) {
    throw new ValidationError('status and is_active disagree.');
  }
  return input.status ?? fromFlag;
}

/** Reads a stored provider the principal may see, or throws 404. */
export async function loadProviderItem(deps: Gateway, id: string, principal?: Principal): Promise<Item> {
  if (!canSeeProvider(principal, id)) throw outOfScope('Provider', id);
  const item = await deps.table.get(keys.provider(id));
  if (!item) throw NOT_FOUND();
  return item;
}

/** Creates a provider with a unique name (409 `name_taken` otherwise, also under concurrency). */
export async function createProvider(
  deps: Gateway,
  input: ProviderCreate,
  actor: Actor,
  principal?: Principal,
): Promise<Provider> {
  // A key scoped to some providers could not see what it created: refuse rather than orphan it.
  if (isScoped(principal)) throw scopedKeyRefused('A scoped key cannot create providers: they are shared.');
  const baseUrl = resolveBaseUrl(deps, input.provider_type, input.base_url);
  const status = resolveStatus(input) ?? 'active';
  const id = newId('prov', deps.now());
  const now = new Date(deps.now()).toISOString();
  await claimName(deps.table, input.name, id);
  const item: Item = {
    ...keys.provider(id),
    ...keys.providerIndex(now, id),
    entity: 'provider',
    id,
    name: input.name,
    provider_type: input.provider_type,
    service_types: input.service_types,
    base_url: baseUrl,
    status,
    health_status: 'unknown',
    priority: input.priority ?? 100,
    timeout_seconds: input.timeout_seconds ?? deps.config.PROVIDER_REQUEST_TIMEOUT,
    rate_limit_rpm: input.rate_limit_rpm ?? null,
    rate_limit_tpm: input.rate_limit_tpm ?? null,
    metadata: input.metadata ?? {},
    version: 1,
    created_at: now,
    updated_at: now,
    ...actorAttributes(actor),
  };
  try {
    await deps.table.create(item, () => new ConflictError('Provider id collision; retry.'));
  } catch (error) {
    await releaseName(deps.table, input.name, id);
    throw error;
  }
  invalidateRoutingSnapshot(deps);
  return toProvider(item);
}

/** One provider, if the principal may see it. */
export async function getProvider(deps: Gateway, id: string, principal: Principal): Promise<Provider> {
  return toProvider(await loadProviderItem(deps, id, principal));
}

export interface ProviderFilter {
  limit: number;
  cursor?: string | undefined;
  provider_type?: string | undefined;
  service_type?: string | undefined;
  status?: string | undefined;
}

/** A page of providers in creation order, filtered, limited to what the principal may see. */
export async function listProviders(deps: Gateway, filter: ProviderFilter, principal: Principal) {
  const page = await deps.table.queryPage({
    index: 'gsi1',
    partition: keys.providersPartition(),
    limit: filter.limit,
    cursor: filter.cursor,
    filter: (item) =>
      canSeeProvider(principal, String(item.id)) &&
      (!filter.provider_type || item.provider_type === filter.provider_type) &&
      (!filter.service_type || (item.service_types as string[]).includes(filter.service_type)) &&
      (!filter.status ||
        item.status === filter.status ||
        (item.health_status ?? 'unknown') === filter.status),
  });
  return {
    data: page.items.map(toProvider),
    next_cursor: page.nextCursor,
    has_more: page.nextCursor !== null,
  };
}

/**
 * Refuses a change of where a provider's requests go (`base_url`, or metadata such as a Bedrock
 * region) by a key below admin while the provider holds a live credential, or calls Bedrock with
 * the gateway's own role: deciding where a credential goes is a `secrets` action.
 */
async function assertMayMove(
  deps: Gateway,
  current: Item,
  next: Provider,
  principal: Principal,
): Promise<void> {
  if (allows('secrets', principal.role)) return;
  const holds = current.provider_type === 'bedrock' || (await holdsLiveCredential(deps, String(current.id)));
  if (!holds) return;
  const fields = DESTINATION_FIELDS.filter(
    (field) => JSON.stringify(current[field] ?? null) !== JSON.stringify(next[field] ?? null),
  );
  throw new ForbiddenError(
    'This provider holds a credential: changing where its requests go needs an admin key.',
    { refusal: { reason: 'credential_destination', target: String(current.id), fields } },
  );
}

/**
 * Applies a PATCH under optimistic concurrency; a rename claims the new name first. Scoped keys
 * cannot change providers (other keys' requests go through them). A change of destination needs an
 * admin while the provider holds a credential; an admin's PATCH that names `base_url` or `metadata`
 * binds the provider's credentials to its destination (`rebindCredentials`).
 */
export async function updateProvider(
  deps: Gateway,
  input: { id: string; patch: ProviderPatch; principal: Principal; actor: Actor },
): Promise<Provider> {
  const current = await loadProviderItem(deps, input.id, input.principal);
  if (isScoped(input.principal)) {
    throw scopedKeyRefused('A scoped key cannot change a provider: other keys use it too.', input.id);
  }
  const { version, name, is_active: _flag, status: _status, base_url, ...rest } = input.patch;
  const expectedVersion = version ?? Number(current.version);
  if (expectedVersion !== current.version) {
    throw new ConflictError('The provider was changed by another request; read it again.', {
      code: 'version_conflict',
      details: { current_version: current.version },
    });
  }
  const changes: Record<string, unknown> = { ...rest, updated_at: new Date(deps.now()).toISOString() };
  const status = resolveStatus(input.patch);
  if (status) changes.status = status;
  if (base_url !== undefined) {
    changes.base_url = resolveBaseUrl(deps, current.provider_type as Provider['provider_type'], base_url);
  }
  const before = toProvider(current);
  const after = { ...before, ...(changes as Partial<Provider>) };
  const moved = destinationOf(before) !== destinationOf(after);
  if (moved) await assertMayMove(deps, current, after, input.principal);
  if (name !== undefined && name !== current.name) changes.name = name;
  const updated = await renameProvider(
    deps.table,
    { id: input.id, from: String(current.name), to: name },
    () =>
      deps.table.updateVersioned({
        key: keys.provider(input.id),
        expectedVersion,
        changes: { ...changes, ...actorAttributes(input.actor) },
        what: 'Provider',
      }),
  );
  invalidateRoutingSnapshot(deps);
  const provider = toProvider(updated);
  const namesDestination = base_url !== undefined || rest.metadata !== undefined;
  if (namesDestination && allows('secrets', input.principal.role)) {
    await rebindCredentials(deps, {
      providerId: input.id,
      destination: destinationOf(provider),
      actor: input.actor,
    });
  }
  return provider;
}
