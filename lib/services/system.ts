import type { Gateway } from '../runtime/gateway.js';
import { keys } from '../store/keys.js';
import { VERSION } from '../version.js';

/**
 * Liveness with storage status: one strongly consistent read of a key that never exists, so the
 * probe costs half a read unit and proves the table answers. Never throws: a failing store is
 * reported as `unavailable` (and the overall status as `degraded`).
 */
export async function healthStatus(deps: Gateway) {
  const started = performance.now();
  let storage: { status: 'ok' | 'unavailable'; latency_ms?: number };
  try {
    await deps.table.get(keys.healthProbe());
    storage = { status: 'ok', latency_ms: Math.round((performance.now() - started) * 100) / 100 };
  } catch {
    storage = { status: 'unavailable' };
  }
  return {
    status: storage.status === 'ok' ? ('ok' as const) : ('degraded' as const),
    version: VERSION,
    storage,
  };
}
