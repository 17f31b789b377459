import { describe, expect, it } from 'vitest';
import { modelPatternSchema } from '../../../lib/schemas/routing.js';
import { globMatch, isGlob, patternSpecificity } from '../../../lib/services/routing/glob.js';

describe('routing: model patterns', () => {
  it.each([
    ['gpt-4o', 'gpt-4o', true],
    ['gpt-4o', 'gpt-4o-mini', false],
    ['gpt-4o*', 'gpt-4o-mini', true],
    ['gpt-4o*', 'gpt-4o', true],
    ['*', 'anything/at:all', true],
    ['claude-?-haiku', 'claude-3-haiku', true],
    ['claude-?-haiku', 'claude-35-haiku', false],
    ['meta-llama/*-Instruct', 'meta-llama/Llama-3.1-8B-Instruct', true],
    ['*mini', 'gpt-4o-mini-2024', false],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXcYYb', false],
    ['gpt.4o', 'gpt-4o', false],
  ])('%s matches %s: %s', (pattern, model, expected) => {
    expect(globMatch(pattern, model)).toBe(expected);
  });

  it('treats regular-expression syntax as literal text', () => {
    expect(globMatch('gpt.4o', 'gpt.4o')).toBe(true);
    expect(modelPatternSchema.safeParse('(a+)+$').success).toBe(false);
    expect(modelPatternSchema.safeParse('[a-z]*').success).toBe(false);
  });

  it('stays fast on the worst patterns the schema admits', () => {
    const pattern = `${'a*'.repeat(8)}b`;
    expect(modelPatternSchema.safeParse(pattern).success).toBe(true);
    expect(modelPatternSchema.safeParse(`${'a*'.repeat(9)}b`).success).toBe(false);
    const text = 'a'.repeat(200);
    const started = performance.now();
    for (let i = 0; i < 1_000; i++) expect(globMatch(pattern, text)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('ranks exact ids above globs and longer globs above shorter ones', () => {
    expect(isGlob('gpt-4o')).toBe(false);
    const ranked = ['*', 'gpt-*', 'gpt-4o', 'gpt-4o-*'].sort(
      (a, b) => patternSpecificity(b) - patternSpecificity(a),
    );
    expect(ranked).toEqual(['gpt-4o', 'gpt-4o-*', 'gpt-*', '*']);
  });
});
