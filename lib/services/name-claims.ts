import { ConflictError } from '../errors.js';
import type { ItemKey } from '../store/keys.js';
import type { Table } from '../store/table.js';

/** What is named uniquely (providers, teams): where its claims and its owners live. */
export interface NameClaimKind {
  /** Singular, for messages: `provider`, `team`. */
  what: string;
  /** `entity` of the claim items. */
  entity: string;
  /** The claim item of a name (lower-cased inside). */
  claimKey(name: string): ItemKey;
  /** The item of the object holding a name. */
  ownerKey(id: string): ItemKey;
  /** The claim's attribute naming its owner's id. */
  ownerAttribute: string;
}

/**
 * Names are unique (case-insensitive). DynamoDB has no unique index and the embedded one has no
 * transactions, so each name is claimed by its own item, written conditionally before the object.
 * A claim left behind by a crash (its owner missing or renamed) is taken over with a second
 * conditional write, so a name can never be lost to an orphan.
 *
 * @throws ConflictError 409 `name_taken` when another object holds the name.
 */
export async function claimUniqueName(
  table: Table,
  kind: NameClaimKind,
  input: { name: string; id: string },
): Promise<void> {
  const { name, id } = input;
  const key = kind.claimKey(name);
  const taken = () =>
    new ConflictError(`A ${kind.what} named "${name}" already exists.`, { code: 'name_taken' });
  try {
    await table.create({ ...key, entity: kind.entity, [kind.ownerAttribute]: id, name, version: 1 }, taken);
    return;
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
  const claim = await table.get(key);
  if (!claim) return claimUniqueName(table, kind, input);
  const ownerId = claim[kind.ownerAttribute];
  const owner = typeof ownerId === 'string' ? await table.get(kind.ownerKey(ownerId)) : undefined;
  const ownerHoldsName = owner && String(owner.name).toLowerCase() === name.toLowerCase();
  if (ownerHoldsName || ownerId === id) {
    if (ownerId === id) return;
    throw taken();
  }
  await table
    .updateVersioned({
      key,
      expectedVersion: Number(claim.version),
      changes: { [kind.ownerAttribute]: id, name },
      what: `${kind.what} name`,
    })
    .catch((error: unknown) => {
      throw error instanceof ConflictError ? taken() : error;
    });
}

/** Releases a name if (and only if) the object `id` still holds it. */
export async function releaseUniqueName(
  table: Table,
  kind: NameClaimKind,
  input: { name: string; id: string },
): Promise<void> {
  const key = kind.claimKey(input.name);
  const claim = await table.get(key);
  if (claim?.[kind.ownerAttribute] === input.id) await table.delete(key);
}

/**
 * Runs `write` (the versioned update of the object) under a rename from `from` to `to`: the new
 * name is claimed first (409 `name_taken` before anything changes), and released again if the
 * write fails; after it succeeds, the old name is released. A change of case only keeps the claim
 * (claims are case-insensitive); no `to`, or the same name, is a plain write.
 */
export async function withRename<T>(
  table: Table,
  kind: NameClaimKind,
  input: { id: string; from: string; to: string | undefined },
  write: () => Promise<T>,
): Promise<T> {
  const { id, from, to } = input;
  const moves = to !== undefined && to !== from && to.toLowerCase() !== from.toLowerCase();
  if (!moves) return write();
  await claimUniqueName(table, kind, { name: to, id });
  let result: T;
  try {
    result = await write();
  } catch (error) {
    await releaseUniqueName(table, kind, { name: to, id });
    throw error;
  }
  await releaseUniqueName(table, kind, { name: from, id });
  return result;
}
