/**
 * `config:plan`: what applying a file would create, change and delete, compared in the file's
 * form (see `forms.ts`) against what the gateway holds. Reads only; writes nothing.
 */
import { ConfigError, ValidationError } from '../../errors.js';
import { validateUpstreamUrl } from '../../net/upstream-address.js';
import type { Gateway } from '../../runtime/gateway.js';
import { readCurrentState, type StoredObject } from './current.js';
import { quotaIdentity, quotaLabel } from './identity.js';
import { lower, one, type Plan, Planner, type PlanOptions } from './planner.js';
import type { ConfigFile, Kind } from './schema.js';

export type { Change, FieldChange, Plan, PlanOptions } from './planner.js';

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
  checkAddresses(deps, file);
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

/** A provider's `base_url` passes the SSRF rules of this environment (the plan says so, not the apply). */
function checkAddresses(deps: Gateway, file: ConfigFile) {
  const problems = (file.providers ?? []).flatMap((p, i) => {
    if (p.base_url === undefined) return [];
    try {
      validateUpstreamUrl(p.base_url, deps.upstreamPolicy);
      return [];
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return [`providers.${i}.base_url: ${error.message}`];
    }
  });
  if (problems.length > 0) {
    throw new ConfigError(
      `The file names addresses the gateway refuses:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}
