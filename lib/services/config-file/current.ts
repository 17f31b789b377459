/**
 * What the gateway holds now, read through the services' list functions as an unscoped admin, in
 * the file's form: what `config:plan` compares a file with and `config:export` writes.
 */
import type { Principal } from '../../auth/roles.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { ApiKey } from '../../schemas/api-keys.js';
import type { Model } from '../../schemas/models.js';
import type { Provider } from '../../schemas/providers.js';
import type { Quota } from '../../schemas/quotas.js';
import type { Rule } from '../../schemas/routing.js';
import type { Team } from '../../schemas/teams.js';
import { listApiKeys } from '../api-keys/service.js';
import { providerRecords } from '../credentials/store.js';
import { listModels } from '../models/service.js';
import { listProviders } from '../providers/service.js';
import { listQuotas } from '../quotas/service.js';
import { listRules } from '../routing/rules/service.js';
import { listTeams } from '../teams/service.js';
import { type Form, type FormKind, fileFormOf, type Names, UnnamedReference } from './forms.js';

/** The principal the configuration tools act as: an unscoped admin named `config` in the audit trail. */
export const CONFIG_PRINCIPAL: Principal = { keyId: 'config', role: 'admin' };

/** A stored object: its id, its file form, and the API's view of it. */
export interface StoredObject<T> {
  id: string;
  name: string;
  form: Form;
  api: T;
}

/** Where a provider's credential comes from, as the file names it. */
export type CredentialSource = { credential_from_env: string } | { secret_ref: true } | undefined;

export interface StoredProvider extends StoredObject<Provider> {
  models: Array<StoredObject<Model>>;
  credential: CredentialSource;
}

export interface CurrentState {
  providers: StoredProvider[];
  teams: Array<StoredObject<Team>>;
  apiKeys: Array<StoredObject<ApiKey>>;
  rules: Array<StoredObject<Rule>>;
  quotas: Array<StoredObject<Quota>>;
  /** Objects left out of the file form (they refer to something without a name), as messages. */
  skipped: string[];
}

/** Source tags of credentials the configuration tools manage (`npm run init` shares the first). */
export const ENV_SOURCE = 'environment:';
export const SECRET_REF_SOURCE = 'config:secret_ref';

type Page<T> = { data: T[]; next_cursor: string | null };

/** Every item of a paginated list. */
async function all<T>(list: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    items.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return items;
}

/** The live credential the configuration manages for a provider, newest first. */
async function credentialOf(deps: Gateway, providerId: string): Promise<CredentialSource> {
  const live = (await providerRecords(deps, providerId))
    .filter((r) => !r.revoked_at && r.source)
    .sort((a, b) => b.id.localeCompare(a.id));
  const source = live[0]?.source;
  if (source?.startsWith(ENV_SOURCE)) return { credential_from_env: source.slice(ENV_SOURCE.length) };
  if (source === SECRET_REF_SOURCE) return { secret_ref: true };
  return undefined;
}

/**
 * Reads every provider (with models and credential source), team, active API key, routing rule and
 * quota. An object that refers to one without a name is listed in `skipped`, not in the state.
 */
export async function readCurrentState(deps: Gateway): Promise<CurrentState> {
  const p = CONFIG_PRINCIPAL;
  const limit = 100;
  const [providers, teams, keys, rules, quotas] = await Promise.all([
    all((cursor) => listProviders(deps, { limit, cursor }, p)),
    all((cursor) => listTeams(deps, { limit, cursor }, p)),
    all((cursor) => listApiKeys(deps, { limit, cursor, status: 'active' }, p)),
    all((cursor) => listRules(deps, { limit, cursor }, p)),
    all((cursor) => listQuotas(deps, { limit, cursor }, p)),
  ]);
  const byId = (list: Array<{ id: string; name: string }>) => new Map(list.map((o) => [o.id, o.name]));
  const providerNames = byId(providers);
  const teamNames = byId(teams);
  const keyNames = byId(keys);
  const names: Names = {
    provider: (id) => providerNames.get(id),
    team: (id) => teamNames.get(id),
    apiKey: (id) => keyNames.get(id),
  };
  const skipped: string[] = [];
  const formOf = <T extends { id: string }>(kind: FormKind, api: T, name: string): StoredObject<T>[] => {
    try {
      return [{ id: api.id, name, form: fileFormOf(kind, api, names), api }];
    } catch (error) {
      if (!(error instanceof UnnamedReference)) throw error;
      skipped.push(`${kind} ${name} (${api.id}) refers to ${error.message}, which no longer exists`);
      return [];
    }
  };
  const withModels = await Promise.all(
    providers.map(async (provider): Promise<StoredProvider> => {
      const models = await all((cursor) => listModels(deps, { limit, cursor, provider_id: provider.id }, p));
      return {
        id: provider.id,
        name: provider.name,
        form: fileFormOf('provider', provider, names),
        api: provider,
        models: models.map((m) => ({
          id: m.model_id,
          name: m.model_id,
          form: fileFormOf('model', m, names),
          api: m,
        })),
        credential: await credentialOf(deps, provider.id),
      };
    }),
  );
  return {
    providers: withModels,
    teams: teams.flatMap((t) => formOf('team', t, t.name)),
    apiKeys: keys.flatMap((k) => formOf('api_key', k, k.name)),
    rules: rules.flatMap((r) => formOf('routing_rule', r, r.rule_name)),
    quotas: quotas.flatMap((q) => formOf('quota', q, q.id)),
    skipped,
  };
}
