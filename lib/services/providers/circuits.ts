/**
 * Circuit state for the provider API (`GET /api/providers`, `GET /api/providers/{id}`): what the
 * breakers in `lib/services/routing/circuit.ts` hold in the table, read as an operator would want
 * it at `deps.now()`.
 */
import type { Principal } from '../../auth/roles.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { CircuitReport, ProviderCircuit } from '../../schemas/circuits.js';
import type { Provider } from '../../schemas/providers.js';
import type { Item } from '../../store/table.js';
import { listOpenCircuits } from '../routing/circuit-store.js';
import { getProvider, listProviders, type ProviderFilter } from './service.js';

const CLOSED: CircuitReport = { state: 'closed', opened_at: null, retry_at: null };
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One stored circuit at `now`. An open circuit whose open period has passed reads as `half_open`
 * (the next request probes the upstream), as does one whose probe is in flight (`retry_at` then
 * says when an unanswered probe lease expires).
 */
export function circuitReportOf(item: Item | undefined, now: number): CircuitReport {
  if (!item || (item.state !== 'open' && item.state !== 'half_open')) return CLOSED;
  const openUntil = Number(item.open_until ?? 0);
  const probeUntil = Number(item.probe_until ?? 0);
  const openedMs = Number(item.opened_at ?? item.changed_at ?? 0);
  const opened_at = openedMs > 0 ? iso(openedMs) : null;
  if (item.state === 'open' && now < openUntil) return { state: 'open', opened_at, retry_at: iso(openUntil) };
  return { state: 'half_open', opened_at, retry_at: now < probeUntil ? iso(probeUntil) : null };
}

/** The circuit of one provider from the not-closed circuits, its models limited to the key's scope. */
function circuitOf(providerId: string, open: Item[], principal: Principal, now: number): ProviderCircuit {
  const mine = open.filter((item) => item.provider_id === providerId);
  const own = mine.find((item) => typeof item.model_id !== 'string');
  const models = mine
    .filter((item): item is Item & { model_id: string } => typeof item.model_id === 'string')
    .filter((item) => !principal.modelIds || principal.modelIds.includes(item.model_id))
    .map((item) => ({ model_id: item.model_id, ...circuitReportOf(item, now) }))
    .filter((model) => model.state !== 'closed')
    .sort((a, b) => a.model_id.localeCompare(b.model_id));
  return { ...circuitReportOf(own, now), models };
}

/** One provider with its circuit state, if the principal may see it (404 otherwise). */
export async function getProviderWithCircuit(
  deps: Gateway,
  id: string,
  principal: Principal,
): Promise<Provider & { circuit: ProviderCircuit }> {
  const provider = await getProvider(deps, id, principal);
  const open = await listOpenCircuits(deps);
  return { ...provider, circuit: circuitOf(id, open, principal, deps.now()) };
}

/** A page of providers (as `listProviders`), each with its circuit state: one more query per page. */
export async function listProvidersWithCircuits(deps: Gateway, filter: ProviderFilter, principal: Principal) {
  const page = await listProviders(deps, filter, principal);
  const open = page.data.length > 0 ? await listOpenCircuits(deps) : [];
  const now = deps.now();
  return {
    ...page,
    data: page.data.map((provider) => ({
      ...provider,
      circuit: circuitOf(provider.id, open, principal, now),
    })),
  };
}
