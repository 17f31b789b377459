/**
 * `config:plan`: what applying a file would create, change and delete, compared in the file's
 * form (see `forms.ts`) against what the gateway holds. Reads only; writes nothing.
 */
import { isDeepStrictEqual } from 'node:util';
import { ConfigError } from '../../errors.js';
import type { Gateway } from '../../runtime/gateway.js';
import { modelPatch } from '../../schemas/models.js';
import { providerPatch } from '../../schemas/providers.js';
import { quotaPatch } from '../../schemas/quotas.js';
import { rulePatch } from '../../schemas/routing.js';
import { teamPatch } from '../../schemas/teams.js';
import { ensureCredential } from '../credentials/environment.js';
import { CONFIG_PRINCIPAL, type CurrentState, readCurrentState, type StoredObject } from './current.js';
import { canonicalOf, type Form, type FormKind } from './forms.js';
import { credentialChange, quotaIdentity, quotaLabel } from './identity.js';
import type { ConfigFile, FileProvider, Kind } from './schema.js';

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** One step of a plan. `declared` is the file's object (create, update); `id` the stored one's. */
export interface Change {
  kind: Kind;
  action: 'create' | 'update' | 'delete';
  label: string;
  id?: string;
  /** The stored object's version: an update or delete made after a concurrent change fails (409). */
  version?: number;
  /** Models and credentials: the provider's name. */
  provider?: string;
  declared?: Record<string, unknown>;
  fields?: FieldChange[];
}

export interface Plan {
  changes: Change[];
  unchanged: number;
  /** What the plan cannot do or could not check, in words. */
  notes: string[];
}

export interface PlanOptions {
  /** Delete stored objects that a managed section of the file leaves out. */
  prune?: boolean;
  /** Where `credential_from_env` variables are read (default: none, so credentials are not compared). */
  env?: Record<string, string | undefined>;
}

/** Fields a PATCH may change, per kind (the rest identify the object or cannot change). */
const PATCHABLE: Record<FormKind, Set<string>> = {
  provider: new Set([...Object.keys(providerPatch.shape), 'status']),
  model: new Set(Object.keys(modelPatch.shape)),
  routing_rule: new Set([...Object.keys(rulePatch.shape), 'targets']),
  team: new Set([...Object.keys(teamPatch.shape), 'providers']),
  api_key: new Set(),
  quota: new Set(Object.keys(quotaPatch.shape)),
};

const lower = (name: string) => name.toLowerCase();

/** The fields of a declared object that differ from the stored one: patchable, and not. */
export function diff(kind: FormKind, declared: object, stored: Form) {
  const want = canonicalOf(kind, declared);
  const changed: FieldChange[] = [];
  const fixed: FieldChange[] = [];
  for (const [field, to] of Object.entries(want)) {
    const from = stored[field] ?? null;
    if (isDeepStrictEqual(from, to ?? null)) continue;
    (PATCHABLE[kind].has(field) ? changed : fixed).push({ field, from, to });
  }
  return { changed, fixed };
}

/** Finds the one stored object of a name; two of the same name cannot be told apart. */
function one<T extends { name: string }>(list: T[], name: string, what: string): T | undefined {
  const found = list.filter((o) => lower(o.name) === lower(name));
  if (found.length > 1) {
    throw new ConfigError(
      `${found.length} stored ${what}s are named "${name}": rename or delete all but one first.`,
    );
  }
  return found[0];
}

class Planner {
  readonly changes: Change[] = [];
  readonly deletes: Change[] = [];
  readonly notes: string[] = [];
  unchanged = 0;
  constructor(
    private readonly deps: Gateway,
    private readonly options: PlanOptions,
  ) {}

  /** Create, update or leave one declared object against its stored match. */
  upsert(
    kind: FormKind,
    label: string,
    declared: Record<string, unknown>,
    stored: StoredObject<{ version: number }> | undefined,
    extra: Partial<Change> = {},
  ) {
    if (!stored) {
      this.changes.push({ kind, action: 'create', label, declared, ...extra });
      return;
    }
    const { changed, fixed } = diff(kind, declared, stored.form);
    for (const f of fixed) {
      this.notes.push(
        `${label}: ${f.field} cannot change in place (stored ${JSON.stringify(f.from)}); delete it and apply again to replace it`,
      );
    }
    if (changed.length === 0) this.unchanged++;
    else
      this.changes.push({
        kind,
        action: 'update',
        label,
        id: stored.id,
        version: stored.api.version,
        declared,
        fields: changed,
        ...extra,
      });
  }

  /** With `prune`, stored objects of a managed section that the file leaves out are deleted. */
  prune<T extends { version: number }>(
    kind: Kind,
    stored: Array<StoredObject<T>>,
    kept: (o: StoredObject<T>) => boolean,
    label: (o: StoredObject<T>) => string,
    extra: Partial<Change> = {},
  ) {
    for (const object of stored) {
      if (kept(object)) continue;
      if (this.options.prune)
        this.deletes.push({
          kind,
          action: 'delete',
          label: label(object),
          id: object.id,
          version: object.api.version,
          ...extra,
        });
      else this.notes.push(`${label(object)} is not in the file (kept; --prune deletes it)`);
    }
  }

  async provider(p: FileProvider, state: CurrentState) {
    const stored = one(state.providers, p.name, 'provider');
    const label = `provider "${p.name}"`;
    this.upsert('provider', label, p, stored);
    const name = p.name;
    for (const m of p.models ?? []) {
      const match = stored?.models.find((s) => s.id === m.model_id);
      this.upsert('model', `model "${name}/${m.model_id}"`, m, match, { provider: name });
    }
    if (stored && p.models) {
      const declared = new Set(p.models.map((m) => m.model_id));
      this.prune(
        'model',
        stored.models,
        (m) => declared.has(m.id),
        (m) => `model "${name}/${m.id}"`,
        { provider: name },
      );
    }
    const credential = credentialChange(p, this.options.env ?? {});
    if (!credential) return;
    if ('missing' in credential) {
      this.notes.push(`provider "${name}": ${credential.missing} is not set; its credential is not compared`);
      return;
    }
    const outcome = stored
      ? (
          await ensureCredential(this.deps, {
            providerId: stored.id,
            ...credential,
            actor: { keyId: CONFIG_PRINCIPAL.keyId, requestId: '', sourceIp: '' },
            dryRun: true,
          })
        ).outcome
      : 'created';
    const change: Change = {
      kind: 'credential',
      action: outcome === 'created' ? 'create' : 'update',
      label: `credential of "${name}" from ${credential.name}`,
      provider: name,
      declared: p,
    };
    if (outcome === 'unchanged') this.unchanged++;
    else this.changes.push(change);
  }
}

/**
 * Compares a file with what the gateway holds. References by name must resolve to an object of the
 * file or a stored one.
 *
 * @throws ConfigError for a reference to nothing, a name two stored objects share, or two declared
 * quotas for the same scope and window.
 */
export async function planConfig(deps: Gateway, file: ConfigFile, options: PlanOptions = {}): Promise<Plan> {
  const state = await readCurrentState(deps);
  const planner = new Planner(deps, options);
  const knows = (list: Array<{ name: string }>, declared: Array<{ name: string }> | undefined) => {
    const names = new Set([...list, ...(declared ?? [])].map((o) => lower(o.name)));
    return (name: string) => names.has(lower(name));
  };
  checkReferences(file, {
    provider: knows(state.providers, file.providers),
    team: knows(state.teams, file.teams),
    apiKey: knows(state.apiKeys, file.api_keys),
  });
  for (const p of file.providers ?? []) await planner.provider(p, state);
  if (file.providers) {
    const declared = new Set(file.providers.map((p) => lower(p.name)));
    planner.prune(
      'provider',
      state.providers,
      (s) => declared.has(lower(s.name)),
      (s) => `provider "${s.name}"`,
    );
  }
  for (const t of file.teams ?? [])
    planner.upsert('team', `team "${t.name}"`, t, one(state.teams, t.name, 'team'));
  for (const k of file.api_keys ?? []) {
    const stored = one(state.apiKeys, k.name, 'API key');
    planner.upsert('api_key', `API key "${k.name}"`, k, stored);
  }
  for (const r of file.routing_rules ?? []) {
    planner.upsert(
      'routing_rule',
      `routing rule "${r.rule_name}"`,
      r,
      one(state.rules, r.rule_name, 'routing rule'),
    );
  }
  const quotaIds = new Set<string>();
  for (const q of file.quotas ?? []) {
    const identity = quotaIdentity(q);
    if (quotaIds.has(identity))
      throw new ConfigError(`Two quotas of the file are the same ${quotaLabel(q)}.`);
    quotaIds.add(identity);
    planner.upsert(
      'quota',
      quotaLabel(q),
      q,
      state.quotas.find((s) => quotaIdentity(s.form) === identity),
    );
  }
  const section = <T extends { version: number }>(
    kind: Kind,
    declared: unknown[] | undefined,
    stored: Array<StoredObject<T>>,
    key: (o: StoredObject<T>) => string,
    names: Set<string>,
    label: (o: StoredObject<T>) => string,
  ) => {
    if (declared) planner.prune(kind, stored, (o) => names.has(key(o)), label);
  };
  section(
    'team',
    file.teams,
    state.teams,
    (o) => lower(o.name),
    new Set(file.teams?.map((t) => lower(t.name))),
    (o) => `team "${o.name}"`,
  );
  section(
    'api_key',
    file.api_keys,
    state.apiKeys,
    (o) => lower(o.name),
    new Set(file.api_keys?.map((k) => lower(k.name))),
    (o) => `API key "${o.name}"`,
  );
  section(
    'routing_rule',
    file.routing_rules,
    state.rules,
    (o) => lower(o.name),
    new Set(file.routing_rules?.map((r) => lower(r.rule_name))),
    (o) => `routing rule "${o.name}"`,
  );
  section(
    'quota',
    file.quotas,
    state.quotas,
    (o) => quotaIdentity(o.form),
    quotaIds,
    (o) => quotaLabel(o.form),
  );
  planner.notes.push(...state.skipped.map((s) => `not compared: ${s}`));
  // Deletes run last, and dependents first: quotas and rules before the keys, teams and providers they name.
  const order: Kind[] = ['quota', 'routing_rule', 'api_key', 'team', 'model', 'provider'];
  const deletes = planner.deletes.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  return { changes: [...planner.changes, ...deletes], unchanged: planner.unchanged, notes: planner.notes };
}

/** Every name the file refers to must be declared in it or stored. */
function checkReferences(
  file: ConfigFile,
  known: Record<'provider' | 'team' | 'apiKey', (name: string) => boolean>,
) {
  const problems: string[] = [];
  const need = (kind: keyof typeof known, name: string | undefined, where: string) => {
    if (name !== undefined && !known[kind](name))
      problems.push(
        `${where}: no ${kind === 'apiKey' ? 'API key' : kind} named "${name}" in the file or the gateway`,
      );
  };
  file.routing_rules?.forEach((r, i) => {
    for (const name of r.providers ?? []) need('provider', name, `routing_rules.${i}.providers`);
    for (const t of r.targets ?? []) need('provider', t.provider, `routing_rules.${i}.targets`);
  });
  file.teams?.forEach((t, i) => {
    for (const name of t.providers ?? []) need('provider', name, `teams.${i}.providers`);
  });
  file.api_keys?.forEach((k, i) => {
    for (const name of k.providers ?? []) need('provider', name, `api_keys.${i}.providers`);
    need('team', k.team, `api_keys.${i}.team`);
  });
  file.quotas?.forEach((q, i) => {
    need('provider', q.provider, `quotas.${i}.provider`);
    need('team', q.team, `quotas.${i}.team`);
    need('apiKey', q.api_key, `quotas.${i}.api_key`);
  });
  if (problems.length > 0)
    throw new ConfigError(
      `The file refers to objects that do not exist:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
}
