/**
 * Unit tests start no store and no runtime: a test that needs the embedded DynamoDB or the local
 * runtime is an integration test and lives in test/integration. This walks the relative imports of
 * every file under test/unit (through test/ and local/, which is where stores are started) and fails
 * on any path to a module that starts one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
/** Modules whose job is to start a store or the runtime. */
const STARTERS = [
  'local/dynamo.ts',
  'local/start.ts',
  'local/server.ts',
  'test/support/runtime.ts',
  'test/support/store-harness.ts',
];
/** Folders whose imports are followed (lib/ never imports local/ or test/). */
const FOLLOWED = ['test/', 'local/'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of a file (static, dynamic and re-exports), as repository paths of `.ts` files. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specifiers.map((s) => relative(ROOT, resolve(dirname(join(ROOT, file)), s)).replace(/\.js$/, '.ts'));
}

/** The import chain from `start` to a starter module, or null when there is none. */
function chainToStarter(start: string): string[] | null {
  const seen = new Set<string>();
  const walk = (file: string, chain: string[]): string[] | null => {
    if (STARTERS.includes(file)) return [...chain, file];
    if (seen.has(file) || !FOLLOWED.some((folder) => file.startsWith(folder))) return null;
    seen.add(file);
    for (const next of importsOf(file)) {
      const found = walk(next, [...chain, file]);
      if (found) return found;
    }
    return null;
  };
  return walk(start, []);
}

describe('unit tests: no database, no runtime', () => {
  it('no file under test/unit imports, even indirectly, a module that starts a store or the runtime', () => {
    const unitFiles = filesUnder(join(ROOT, 'test/unit')).map((f) => relative(ROOT, f));
    expect(unitFiles.length).toBeGreaterThan(40);
    const offenders = unitFiles
      .map((file) => chainToStarter(file))
      .filter((chain): chain is string[] => chain !== null)
      .map((chain) => chain.join(' → '));
    expect(offenders).toEqual([]);
  });

  it('finds an indirect path to a starter (the check can fail)', () => {
    expect(chainToStarter('test/integration/routing-failover.test.ts')).toEqual([
      'test/integration/routing-failover.test.ts',
      'test/support/store-harness.ts',
    ]);
    expect(chainToStarter('test/integration/usage-exactness.test.ts')).toEqual([
      'test/integration/usage-exactness.test.ts',
      'test/integration/usage-fixtures.ts',
      'test/support/runtime.ts',
    ]);
  });
});
