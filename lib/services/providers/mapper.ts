import type { Provider } from '../../schemas/providers.js';
import type { Item } from '../../store/table.js';

/** The public view of a stored provider: key attributes and internal bookkeeping stay inside. */
export function toProvider(item: Item): Provider {
  return {
    id: String(item.id),
    name: String(item.name),
    provider_type: item.provider_type as Provider['provider_type'],
    service_types: (item.service_types ?? []) as Provider['service_types'],
    base_url: (item.base_url as string | undefined) ?? null,
    status: item.status as Provider['status'],
    is_active: item.status === 'active',
    health_status: (item.health_status ?? 'unknown') as Provider['health_status'],
    priority: Number(item.priority),
    timeout_seconds: Number(item.timeout_seconds),
    rate_limit_rpm: (item.rate_limit_rpm as number | null | undefined) ?? null,
    rate_limit_tpm: (item.rate_limit_tpm as number | null | undefined) ?? null,
    metadata: (item.metadata ?? {}) as Record<string, unknown>,
    version: Number(item.version),
    created_at: String(item.created_at),
    updated_at: String(item.updated_at),
  };
}
