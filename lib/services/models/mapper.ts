import { readOwnerScope } from '../../auth/scope.js';
import type { Model, Pricing } from '../../schemas/models.js';
import type { Item } from '../../store/table.js';
import { priceAt } from '../pricing.js';

/** The public view of a stored model, with the price in force at `nowMs`. */
export function toModel(item: Item, nowMs: number): Model {
  const history = (item.pricing_history ?? []) as Pricing[];
  return {
    provider_id: String(item.provider_id),
    model_id: String(item.model_id),
    model_name: String(item.model_name),
    model_type: item.model_type as Model['model_type'],
    context_window: (item.context_window as number | null | undefined) ?? null,
    max_output_tokens: (item.max_output_tokens as number | null | undefined) ?? null,
    capabilities: (item.capabilities ?? []) as Model['capabilities'],
    pricing: priceAt(history, nowMs),
    pricing_history: history,
    deprecated_at: (item.deprecated_at as string | null | undefined) ?? null,
    is_active: item.is_active !== false,
    owner_scope: readOwnerScope(item.owner_scope),
    version: Number(item.version),
    created_at: String(item.created_at),
    updated_at: String(item.updated_at),
  };
}
