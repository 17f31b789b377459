/**
 * The steps of a plan, one object at a time: a declared object against its stored match (create,
 * update with the fields that differ, or unchanged), and the stored objects a file leaves out.
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
import { CONFIG_PRINCIPAL, type CurrentState, type StoredObject } from './current.js';
import { canonicalOf, type Form, type FormKind } from './forms.js';
import { credentialChange } from './identity.js';
import type { FileProvider, Kind } from './schema.js';

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

export const lower = (name: string) => name.toLowerCase();

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
export function one<T extends { name: string }>(list: T[], name: string, what: string): T | undefined {
  const found = list.filter((o) => lower(o.name) === lower(name));
  if (found.length > 1) {
    throw new ConfigError(
      `${found.length} stored ${what}s are named "${name}": rename or delete all but one first.`,
    );
  }
  return found[0];
}

/** Collects the changes, deletes, notes and the count of unchanged objects of one plan. */
export class Planner {
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
