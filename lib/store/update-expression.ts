/**
 * Builds DynamoDB update expressions from typed clauses, so repositories name attributes and values
 * and never write placeholders for them. Attribute names are always escaped (`#u0`), so reserved
 * words (`state`, `window`, `ttl`, `status`, ...) need no care.
 */

/** The clauses of an update; each names attributes of the item. */
export interface UpdateClauses {
  /** `SET name = value`; an `undefined` value leaves the attribute as it is. */
  set?: Record<string, unknown>;
  /** `SET name = if_not_exists(name, value)`: only where the attribute is absent. */
  setIfAbsent?: Record<string, unknown>;
  /** `ADD name amount`: atomic increments (negative to decrement); an absent number counts from 0. */
  add?: Record<string, number>;
  /** `REMOVE name`. */
  remove?: readonly string[];
}

/** Placeholders a caller's condition uses (`#name` → attribute, `:value` → value). */
export interface Placeholders {
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

/** An update expression with every placeholder it and the caller's condition use. */
export interface BuiltUpdate {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/**
 * The `UpdateExpression` of `clauses`, merged with the caller's placeholders (those of a condition).
 *
 * @throws Error when the caller's placeholders collide with the generated ones (`#u<n>`, `:u<n>`),
 *   or when there is nothing to update: both are programming errors.
 */
export function buildUpdate(clauses: UpdateClauses, caller: Placeholders = {}): BuiltUpdate {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  let n = 0;
  const name = (attribute: string) => {
    const placeholder = `#u${n}`;
    names[placeholder] = attribute;
    return placeholder;
  };
  const value = (v: unknown) => {
    const placeholder = `:u${n++}`;
    values[placeholder] = v;
    return placeholder;
  };
  const sets: string[] = [];
  for (const [attribute, v] of Object.entries(clauses.set ?? {})) {
    if (v !== undefined) sets.push(`${name(attribute)} = ${value(v)}`);
  }
  for (const [attribute, v] of Object.entries(clauses.setIfAbsent ?? {})) {
    const placeholder = name(attribute);
    sets.push(`${placeholder} = if_not_exists(${placeholder}, ${value(v)})`);
  }
  const adds = Object.entries(clauses.add ?? {}).map(([attribute, v]) => `${name(attribute)} ${value(v)}`);
  const removes = (clauses.remove ?? []).map((attribute) => {
    const placeholder = name(attribute);
    n++;
    return placeholder;
  });
  const parts = [
    sets.length ? `SET ${sets.join(', ')}` : '',
    adds.length ? `ADD ${adds.join(', ')}` : '',
    removes.length ? `REMOVE ${removes.join(', ')}` : '',
  ].filter(Boolean);
  if (parts.length === 0) throw new Error('an update needs at least one clause');
  for (const placeholder of [...Object.keys(caller.names ?? {}), ...Object.keys(caller.values ?? {})]) {
    if (placeholder in names || placeholder in values) {
      throw new Error(`placeholder ${placeholder} is reserved for generated update clauses`);
    }
  }
  return {
    expression: parts.join(' '),
    names: { ...names, ...caller.names },
    values: { ...values, ...caller.values },
  };
}
