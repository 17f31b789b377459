/**
 * Model patterns: an exact model id, or a glob where `*` matches any run of characters and `?` one
 * character. Patterns are stored data written by operators, so they are never turned into regular
 * expressions: matching is the classic two-pointer walk with one backtrack point, O(pattern × text)
 * in the worst case, and both sides are at most 200 characters (schema-checked).
 */

/** Whether a pattern holds a wildcard (otherwise it is an exact model id). */
export function isGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/**
 * Whether `text` matches `pattern` in full (case-sensitive, like model ids).
 *
 * @example globMatch('gpt-4o*', 'gpt-4o-mini') === true; globMatch('claude-?-haiku', 'claude-3-haiku') === true
 */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c === '*') {
      starP = p++;
      starT = t;
    } else if (c !== undefined && (c === '?' || c === text[t])) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * How specific a pattern is, for choosing among matching rules: an exact id beats every glob; among
 * globs, more literal characters beat fewer (`gpt-4o-*` beats `gpt-*` beats `*`). Higher is more
 * specific.
 */
export function patternSpecificity(pattern: string): number {
  if (!isGlob(pattern)) return Number.MAX_SAFE_INTEGER;
  return pattern.replace(/[*?]/g, '').length;
}
