/**
 * One form to compare in: the file's. A stored object (the API's view) becomes a file object with
 * names for ids ({@link fileFormOf}); a declared object is completed the way the services complete
 * a create body ({@link canonicalOf}). A plan compares the two field by field; an export writes the
 * first without the values a create would fill in anyway ({@link withoutDefaults}).
 */
import { isDeepStrictEqual } from 'node:util';
import type { ApiKey } from '../../schemas/api-keys.js';
import type { Model } from '../../schemas/models.js';
import type { Provider } from '../../schemas/providers.js';
import type { Quota } from '../../schemas/quotas.js';
import type { Rule } from '../../schemas/routing.js';
import type { Team } from '../../schemas/teams.js';
import { DEFAULT_BASE_URLS } from '../provider-defaults.js';
import { DEFAULT_RETRY_POLICY, storedPolicy } from '../routing/rules/mapper.js';
import { fileApiKey, fileModel, fileProvider, fileQuota, fileRule, fileTeam } from './schema.js';

/** The object kinds compared field by field (credentials are compared by value, models by id). */
export type FormKind = 'provider' | 'model' | 'routing_rule' | 'team' | 'api_key' | 'quota';
export type Form = Record<string, unknown>;

/** Names of stored objects by id; `undefined` for an id that no longer names anything. */
export interface Names {
  provider(id: string): string | undefined;
  team(id: string): string | undefined;
  apiKey(id: string): string | undefined;
}

/** An object that refers to something with no name (a deleted provider, a revoked key). */
export class UnnamedReference extends Error {
  override name = 'UnnamedReference';
}

const SHAPES: Record<FormKind, Record<string, unknown>> = {
  provider: fileProvider.shape,
  model: fileModel.shape,
  routing_rule: fileRule.shape,
  team: fileTeam.shape,
  api_key: fileApiKey.shape,
  quota: fileQuota.shape,
};

/** Values the services fill in when a create body leaves a field out. */
const FILLED: Record<FormKind, Form> = {
  provider: { status: 'active', priority: 100, metadata: {} },
  model: { capabilities: [], is_active: true },
  routing_rule: {
    fallback_enabled: true,
    retry_policy: DEFAULT_RETRY_POLICY,
    priority: 100,
    is_active: true,
    log_payloads: false,
  },
  team: { metadata: {} },
  api_key: { log_payloads: false },
  quota: {
    soft_limit_percent: 80,
    action_on_exceed: 'block',
    enforcement: 'async',
    is_active: true,
    time_zone: 'UTC',
    thresholds_percent: [],
  },
};

const normalUrl = (url: string) => new URL(url).toString().replace(/\/$/, '');

/** Whether `value` is what a create would store for `key` when the file leaves it out. */
function isFilled(kind: FormKind, key: string, value: unknown, form: Form, timeoutSeconds: number): boolean {
  if (value === null || value === undefined) return true;
  if (kind === 'provider' && key === 'timeout_seconds') return value === timeoutSeconds;
  if (kind === 'provider' && key === 'base_url') {
    const fallback = DEFAULT_BASE_URLS[form.provider_type as Provider['provider_type']];
    return fallback !== undefined && value === normalUrl(fallback);
  }
  if (kind === 'model' && key === 'model_name') return value === form.model_id;
  return key in FILLED[kind] && isDeepStrictEqual(value, FILLED[kind][key]);
}

/** The file form without the values a create fills in (what `config:export` writes). */
export function withoutDefaults(kind: FormKind, form: Form, timeoutSeconds: number): Form {
  return Object.fromEntries(
    Object.entries(form).filter(([key, value]) => !isFilled(kind, key, value, form, timeoutSeconds)),
  );
}

/** The fields of `api` the file has too: new API fields flow in as the file schema grows with them. */
function pick(kind: FormKind, api: object): Form {
  const shape = SHAPES[kind];
  return Object.fromEntries(Object.entries(api).filter(([key]) => key in shape));
}

function named(lookup: (id: string) => string | undefined, id: string): string {
  const name = lookup(id);
  if (name === undefined) throw new UnnamedReference(id);
  return name;
}

/** A rule's targets in full (`providers: [a]` is `targets: [{provider: a, model: null, weight: 1}]`). */
function fullTargets(
  list: ReadonlyArray<{ provider: string; model?: string | null | undefined; weight?: number | undefined }>,
) {
  return list.map((t) => ({ provider: t.provider, model: t.model ?? null, weight: t.weight ?? 1 }));
}

/**
 * A stored object in the file's form, every field present (names for ids).
 * @throws UnnamedReference when it refers to an object that has no name any more.
 */
export function fileFormOf(kind: FormKind, api: object, names: Names): Form {
  const form = pick(kind, api);
  switch (kind) {
    case 'provider':
      return form;
    case 'model': {
      const { effective_from: _from, ...pricing } = (api as Model).pricing ?? { effective_from: '' };
      return { ...form, pricing: (api as Model).pricing ? pricing : null };
    }
    case 'routing_rule': {
      const rule = api as Rule;
      const targets = fullTargets(
        rule.targets.map((t) => ({ ...t, provider: named(names.provider, t.provider_id) })),
      );
      return { ...form, targets };
    }
    case 'team':
    case 'api_key': {
      const scoped = api as Team | ApiKey;
      const team = kind === 'api_key' ? (api as ApiKey).team_id : null;
      return {
        ...form,
        providers: scoped.provider_ids?.map((id) => named(names.provider, id)) ?? null,
        ...(kind === 'api_key' ? { team: team ? named(names.team, team) : null } : {}),
      };
    }
    case 'quota': {
      const q = api as Quota;
      return {
        ...form,
        provider: q.provider_id ? named(names.provider, q.provider_id) : null,
        api_key: q.api_key_id ? named(names.apiKey, q.api_key_id) : null,
        team: q.team_id ? named(names.team, q.team_id) : null,
      };
    }
  }
}

/** The simple form of a rule's targets for export: `providers` when no target names a model or weight. */
export function exportTargets(form: Form): Form {
  const { targets, ...rest } = form;
  const list = targets as Array<{ provider: string; model: string | null; weight: number }>;
  if (list.every((t) => t.model === null && t.weight === 1))
    return { ...rest, providers: list.map((t) => t.provider) };
  return {
    ...rest,
    targets: list.map((t) => ({
      provider: t.provider,
      ...(t.model ? { model: t.model } : {}),
      ...(t.weight !== 1 ? { weight: t.weight } : {}),
    })),
  };
}

/** A declared object completed as a create would complete it, in the form {@link fileFormOf} gives. */
export function canonicalOf(kind: FormKind, declared: object): Form {
  const form: Form = { ...declared };
  if (kind === 'provider') {
    delete form.models;
    delete form.credential_from_env;
    delete form.secret_ref;
    if (form.is_active !== undefined) form.status ??= form.is_active ? 'active' : 'inactive';
    delete form.is_active;
    if (typeof form.base_url === 'string') form.base_url = normalUrl(form.base_url);
  }
  if (kind === 'model' && form.pricing) {
    const { effective_from: _from, ...pricing } = form.pricing as Form;
    form.pricing = pricing;
  }
  if (kind === 'routing_rule') {
    const { providers, targets } = form as { providers?: string[]; targets?: Array<{ provider: string }> };
    delete form.providers;
    form.targets = fullTargets(targets ?? (providers ?? []).map((provider) => ({ provider })));
    if (form.retry_policy) form.retry_policy = storedPolicy(form.retry_policy as never);
  }
  return form;
}
