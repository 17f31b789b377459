/**
 * `config:apply`: runs a plan through the services, as the admin API would (the same validation,
 * the same conditional writes: an object changed since the plan read it fails with 409), with the
 * actor `config` on every write, so the audit trail names it.
 */
import { ConfigError } from '../../errors.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Actor } from '../actor.js';
import { revokeApiKey } from '../api-keys/lifecycle.js';
import { createApiKey } from '../api-keys/service.js';
import { ensureCredential } from '../credentials/environment.js';
import { createModel, deleteModel, updateModel } from '../models/service.js';
import { deleteProvider } from '../providers/delete.js';
import { createProvider, updateProvider } from '../providers/service.js';
import { createQuota, deleteQuota, updateQuota } from '../quotas/service.js';
import { createRule, deleteRule, updateRule } from '../routing/rules/service.js';
import { createTeam, deleteTeam, updateTeam } from '../teams/service.js';
import {
  apiKeyBody,
  modelBody,
  providerBody,
  quotaBody,
  type Refs,
  ruleBody,
  teamBody,
} from './api-bodies.js';
import { CONFIG_PRINCIPAL, readCurrentState } from './current.js';
import { credentialChange } from './identity.js';
import { type Change, type Plan, type PlanOptions, planConfig } from './plan.js';
import type {
  ConfigFile,
  FileApiKey,
  FileModel,
  FileProvider,
  FileQuota,
  FileRule,
  FileTeam,
} from './schema.js';

/** A key the apply created: its secret is in this report once, and nowhere else. */
export interface CreatedKey {
  name: string;
  id: string;
  key: string;
}

export interface ApplyReport extends Plan {
  createdKeys: CreatedKey[];
}

/** API fields a changed file field is sent as (the rest are sent under their own name). */
const SENT_AS: Record<string, string[]> = {
  status: ['status', 'is_active'],
  targets: ['targets', 'provider_ids'],
  providers: ['provider_ids'],
};

/** The PATCH body of an update: the changed fields, as the API names them, and the version read. */
function patchOf(change: Change, body: object): Record<string, unknown> & { version?: number } {
  const patch: Record<string, unknown> = {};
  const source = body as Record<string, unknown>;
  for (const { field } of change.fields ?? []) {
    for (const name of SENT_AS[field] ?? [field]) if (source[name] !== undefined) patch[name] = source[name];
    // A field the file clears (a team's providers set to all) is sent as null.
    if (!(SENT_AS[field] ?? [field]).some((name) => name in patch))
      patch[(SENT_AS[field] ?? [field])[0]!] = null;
  }
  return { ...patch, ...(change.version ? { version: change.version } : {}) };
}

/** Names → ids: what is stored, plus what this apply creates as it goes. */
async function refsFor(deps: Gateway) {
  const state = await readCurrentState(deps);
  const maps = {
    provider: new Map(state.providers.map((p) => [p.name.toLowerCase(), p.id])),
    team: new Map(state.teams.map((t) => [t.name.toLowerCase(), t.id])),
    apiKey: new Map(state.apiKeys.map((k) => [k.name.toLowerCase(), k.id])),
  };
  const lookup = (kind: keyof typeof maps) => (name: string) => {
    const id = maps[kind].get(name.toLowerCase());
    if (!id) throw new ConfigError(`No ${kind} named "${name}".`);
    return id;
  };
  const refs: Refs = { provider: lookup('provider'), team: lookup('team'), apiKey: lookup('apiKey') };
  return {
    refs,
    remember: (kind: keyof typeof maps, name: string, id: string) => maps[kind].set(name.toLowerCase(), id),
  };
}

/**
 * Applies a file: plans it, then runs each change in order (creates and updates, then deletes,
 * dependents first). Idempotent: applying the same file again plans no change. Stops at the first
 * failure (the changes before it stay applied; a new plan shows what remains).
 *
 * @throws ConfigError for what `planConfig` refuses or a credential variable that is not set; the
 * services' errors (409 on a concurrent change, 422 on a value the API refuses).
 */
export async function applyConfig(
  deps: Gateway,
  file: ConfigFile,
  options: PlanOptions = {},
): Promise<ApplyReport> {
  const plan = await planConfig(deps, file, options);
  const actor: Actor = { keyId: CONFIG_PRINCIPAL.keyId, requestId: `config-${deps.now()}`, sourceIp: '' };
  const principal = CONFIG_PRINCIPAL;
  const { refs, remember } = await refsFor(deps);
  const createdKeys: CreatedKey[] = [];
  for (const change of plan.changes) {
    const where = change.label;
    const d = change.declared;
    const id = change.id ?? '';
    switch (`${change.kind}:${change.action}`) {
      case 'provider:create': {
        const created = await createProvider(deps, providerBody(d as FileProvider, where), actor, principal);
        remember('provider', created.name, created.id);
        break;
      }
      case 'provider:update':
        await updateProvider(deps, {
          id,
          patch: patchOf(change, providerBody(d as FileProvider, where)),
          principal,
          actor,
        });
        break;
      case 'provider:delete':
        await deleteProvider(deps, { id, force: false, principal, actor });
        break;
      case 'model:create':
        await createModel(deps, {
          providerId: refs.provider(change.provider!),
          model: modelBody(d as FileModel, where),
          principal,
          actor,
        });
        break;
      case 'model:update':
        await updateModel(deps, {
          providerId: refs.provider(change.provider!),
          modelId: String(d?.model_id),
          patch: patchOf(change, modelBody(d as FileModel, where)),
          principal,
          actor,
        });
        break;
      case 'model:delete':
        await deleteModel(deps, {
          providerId: refs.provider(change.provider!),
          modelId: id,
          principal,
          actor,
        });
        break;
      case 'credential:create':
      case 'credential:update': {
        const credential = credentialChange(d as FileProvider, options.env ?? {});
        if (!credential) break;
        if ('missing' in credential)
          throw new ConfigError(
            `${credential.missing} is not set: it holds the key of provider "${change.provider}".`,
          );
        await ensureCredential(deps, { providerId: refs.provider(change.provider!), ...credential, actor });
        break;
      }
      case 'team:create': {
        const created = await createTeam(deps, {
          team: teamBody(d as FileTeam, refs, where),
          principal,
          actor,
        });
        remember('team', created.name, created.id);
        break;
      }
      case 'team:update':
        await updateTeam(deps, {
          id,
          patch: patchOf(change, teamBody(d as FileTeam, refs, where)),
          principal,
          actor,
        });
        break;
      case 'team:delete':
        await deleteTeam(deps, { id, revokeKeys: false, principal, actor });
        break;
      case 'api_key:create': {
        const created = await createApiKey(deps, {
          body: apiKeyBody(d as FileApiKey, refs, where),
          caller: principal,
          actor,
        });
        remember('apiKey', created.name, created.id);
        createdKeys.push({ name: created.name, id: created.id, key: created.key });
        break;
      }
      case 'api_key:delete':
        await revokeApiKey(deps, { id, caller: principal, actor });
        break;
      case 'routing_rule:create':
        await createRule(deps, { rule: ruleBody(d as FileRule, refs, where), principal, actor });
        break;
      case 'routing_rule:update':
        await updateRule(deps, {
          id,
          patch: patchOf(change, ruleBody(d as FileRule, refs, where)),
          principal,
          actor,
        });
        break;
      case 'routing_rule:delete':
        await deleteRule(deps, { id, principal, actor });
        break;
      case 'quota:create':
        await createQuota(deps, { quota: quotaBody(d as FileQuota, refs, where), principal, actor });
        break;
      case 'quota:update':
        await updateQuota(deps, {
          id,
          patch: patchOf(change, quotaBody(d as FileQuota, refs, where)),
          principal,
          actor,
        });
        break;
      case 'quota:delete':
        await deleteQuota(deps, { id, principal, actor });
        break;
      default:
        throw new ConfigError(`Cannot ${change.action} ${change.label}.`);
    }
  }
  return { ...plan, createdKeys };
}
