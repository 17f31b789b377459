/**
 * Lambda event filtering (`FilterCriteria`) for the local stream: the subset of the EventBridge
 * pattern syntax the consumers use. A pattern is an object whose keys name record fields; a nested
 * object matches a nested field; an array lists acceptable values: literals (equality),
 * `{ prefix }`, `{ exists }` and `{ 'anything-but': [...] }`. A record is delivered if any pattern
 * matches. Unknown operators never match (fail closed).
 */
export function matchesAny(patterns: ReadonlyArray<Record<string, unknown>>, record: unknown): boolean {
  return patterns.length === 0 || patterns.some((pattern) => matches(pattern, record));
}

function matches(pattern: Record<string, unknown>, value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return Object.entries(pattern).every(([field, rule]) => {
    if (Array.isArray(rule))
      return rule.some((option) => matchesOption(option, record[field], field in record));
    if (rule && typeof rule === 'object') return matches(rule as Record<string, unknown>, record[field]);
    return false;
  });
}

function matchesOption(option: unknown, value: unknown, present: boolean): boolean {
  if (option === null || typeof option !== 'object') return value === option;
  const op = option as Record<string, unknown>;
  if ('prefix' in op) return typeof value === 'string' && value.startsWith(String(op.prefix));
  if ('exists' in op) return op.exists === present;
  if ('anything-but' in op) {
    const excluded = Array.isArray(op['anything-but']) ? op['anything-but'] : [op['anything-but']];
    return present && !excluded.includes(value);
  }
  return false;
}
