import { readFileSync } from 'node:fs';
import type { Principal } from '../../auth/roles.js';
import { ConflictError } from '../../errors.js';
import type { Gateway } from '../../runtime/gateway.js';
import { keys } from '../../store/keys.js';
import type { Actor } from '../actor.js';
import { createModel } from '../models/service.js';
import { createProvider } from '../providers/service.js';
import { type Catalog, catalogSchema } from './schema.js';

/** What a catalog load did: created objects, and those already present (left unchanged). */
export interface CatalogReport {
  providers: { created: string[]; existing: string[] };
  models: { created: number; existing: number };
  /** Provider id by catalog name, for steps that follow (e.g. importing credentials). */
  providerIds: Record<string, string>;
}

/** Reads and validates a catalog file; a malformed file fails with the first problems named. */
export function readCatalog(path: string): Catalog {
  const parsed = catalogSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid catalog ${path}: ${problems.join('; ')}`);
  }
  return parsed.data;
}

async function providerIdByName(deps: Gateway, name: string): Promise<string | undefined> {
  const claim = await deps.table.get(keys.providerName(name));
  if (typeof claim?.provider_id !== 'string') return undefined;
  const provider = await deps.table.get(keys.provider(claim.provider_id));
  return provider && String(provider.name).toLowerCase() === name.toLowerCase()
    ? claim.provider_id
    : undefined;
}

/**
 * Loads the catalog's providers and models. Idempotent: an existing provider (same name) or
 * model (same id under that provider) is left exactly as it is, so a second run changes nothing
 * and never overwrites what an operator edited.
 */
export async function loadCatalog(deps: Gateway, catalog: Catalog, actor: Actor): Promise<CatalogReport> {
  const principal: Principal = { keyId: actor.keyId, role: 'admin' };
  const report: CatalogReport = {
    providers: { created: [], existing: [] },
    models: { created: 0, existing: 0 },
    providerIds: {},
  };
  for (const entry of catalog.providers) {
    const { models, env_key: _env, pricing_source: _source, ...body } = entry;
    let id = await providerIdByName(deps, body.name);
    if (id) report.providers.existing.push(body.name);
    else {
      id = (await createProvider(deps, body, actor)).id;
      report.providers.created.push(body.name);
    }
    report.providerIds[body.name] = id;
    for (const { unverified: _u, unverified_prices: _p, ...model } of models) {
      try {
        await createModel(deps, { providerId: id, model, principal, actor });
        report.models.created++;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        report.models.existing++;
      }
    }
  }
  return report;
}
