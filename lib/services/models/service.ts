import { stampForDelete } from '../../audit/stamp.js';
import type { Principal } from '../../auth/roles.js';
import { ownerScopeOf } from '../../auth/scope.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Model, ModelCreate, ModelPatch, Pricing } from '../../schemas/models.js';
import { keys } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import {
  type Actor,
  actorAttributes,
  assertMayManage,
  canSeeModel,
  canSeeProvider,
  outOfScope,
} from '../actor.js';
import { appendPrice } from '../pricing.js';
import { loadProviderItem } from '../providers/service.js';
import { invalidateRoutingSnapshot } from '../routing/snapshot.js';
import { toModel } from './mapper.js';

const NOT_FOUND = () => new NotFoundError('Model');

async function loadModelItem(
  deps: Gateway,
  providerId: string,
  modelId: string,
  principal: Principal,
): Promise<Item> {
  if (!canSeeProvider(principal, providerId) || !canSeeModel(principal, modelId)) {
    throw outOfScope('Model', `${providerId}:${modelId}`);
  }
  const item = await deps.table.get(keys.model(providerId, modelId));
  if (!item) throw NOT_FOUND();
  return item;
}

/**
 * Adds a model to a provider's catalog; a model id is unique per provider (409 otherwise). A model
 * added by a scoped key is owned by its scope: it serves only keys inside that scope.
 */
export async function createModel(
  deps: Gateway,
  input: { providerId: string; model: ModelCreate; principal: Principal; actor: Actor },
): Promise<Model> {
  await loadProviderItem(deps, input.providerId, input.principal);
  if (!canSeeModel(input.principal, input.model.model_id)) {
    throw outOfScope('Model', `${input.providerId}:${input.model.model_id}`);
  }
  const nowMs = deps.now();
  const now = new Date(nowMs).toISOString();
  const { pricing, ...fields } = input.model;
  const history: Pricing[] = pricing ? appendPrice([], pricing, nowMs, { isNewModel: true }) : [];
  const item: Item = {
    ...keys.model(input.providerId, fields.model_id),
    ...keys.modelIndex(fields.model_id, input.providerId),
    entity: 'model',
    provider_id: input.providerId,
    model_id: fields.model_id,
    model_name: fields.model_name ?? fields.model_id,
    model_type: fields.model_type,
    context_window: fields.context_window ?? null,
    max_output_tokens: fields.max_output_tokens ?? null,
    capabilities: fields.capabilities ?? [],
    pricing_history: history,
    deprecated_at: fields.deprecated_at ?? null,
    is_active: fields.is_active ?? true,
    owner_scope: ownerScopeOf(input.principal),
    version: 1,
    created_at: now,
    updated_at: now,
    ...actorAttributes(input.actor),
  };
  await deps.table.create(
    item,
    () =>
      new ConflictError(`This provider already has a model "${fields.model_id}".`, { code: 'model_exists' }),
  );
  invalidateRoutingSnapshot(deps);
  return toModel(item, nowMs);
}

/** One model of one provider. */
export async function getModel(
  deps: Gateway,
  input: { providerId: string; modelId: string; principal: Principal },
): Promise<Model> {
  return toModel(await loadModelItem(deps, input.providerId, input.modelId, input.principal), deps.now());
}

export interface ModelFilter {
  limit: number;
  cursor?: string | undefined;
  provider_id?: string | undefined;
  model_type?: string | undefined;
  capability?: string | undefined;
  q?: string | undefined;
}

/** A page of models (of one provider, or of all by model id), filtered and scoped. */
export async function listModels(deps: Gateway, filter: ModelFilter, principal: Principal) {
  const q = filter.q?.toLowerCase();
  const match = (item: Item) =>
    canSeeProvider(principal, String(item.provider_id)) &&
    canSeeModel(principal, String(item.model_id)) &&
    (!filter.model_type || item.model_type === filter.model_type) &&
    (!filter.capability || (item.capabilities as string[]).includes(filter.capability)) &&
    (!q ||
      String(item.model_id).toLowerCase().includes(q) ||
      String(item.model_name).toLowerCase().includes(q));
  const page = filter.provider_id
    ? await deps.table.queryPage({
        partition: keys.provider(filter.provider_id).pk,
        skPrefix: keys.modelsOfProviderPrefix(),
        limit: filter.limit,
        cursor: filter.cursor,
        filter: match,
      })
    : await deps.table.queryPage({
        index: 'gsi1',
        partition: keys.modelsPartition(),
        limit: filter.limit,
        cursor: filter.cursor,
        filter: match,
      });
  const nowMs = deps.now();
  return {
    data: page.items.map((item) => toModel(item, nowMs)),
    next_cursor: page.nextCursor,
    has_more: page.nextCursor !== null,
  };
}

/** Applies a PATCH under optimistic concurrency; a price change is appended to the history. */
export async function updateModel(
  deps: Gateway,
  input: { providerId: string; modelId: string; patch: ModelPatch; principal: Principal; actor: Actor },
): Promise<Model> {
  const current = await loadModelItem(deps, input.providerId, input.modelId, input.principal);
  assertMayManage(input.principal, current.owner_scope, 'model', `${input.providerId}:${input.modelId}`);
  const { version, pricing, ...rest } = input.patch;
  const expectedVersion = version ?? Number(current.version);
  const nowMs = deps.now();
  const changes: Record<string, unknown> = { ...rest, updated_at: new Date(nowMs).toISOString() };
  if (pricing) {
    changes.pricing_history = appendPrice((current.pricing_history ?? []) as Pricing[], pricing, nowMs, {
      isNewModel: false,
    });
  }
  const updated = await deps.table.updateVersioned({
    key: keys.model(input.providerId, input.modelId),
    expectedVersion,
    changes: { ...changes, ...actorAttributes(input.actor) },
    what: 'Model',
  });
  invalidateRoutingSnapshot(deps);
  return toModel(updated, nowMs);
}

/** Removes a model from the catalog. */
export async function deleteModel(
  deps: Gateway,
  input: { providerId: string; modelId: string; principal: Principal; actor: Actor },
): Promise<void> {
  const current = await loadModelItem(deps, input.providerId, input.modelId, input.principal);
  assertMayManage(input.principal, current.owner_scope, 'model', `${input.providerId}:${input.modelId}`);
  await stampForDelete(deps.table, keys.model(input.providerId, input.modelId), input.actor);
  await deps.table.delete(keys.model(input.providerId, input.modelId));
  invalidateRoutingSnapshot(deps);
}
