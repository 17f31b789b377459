/**
 * Each function's bundle carries only its own routes and their schemas: the static import graph of
 * every `functions/<fn>.ts` (esbuild's metafile, as the stack bundles it) reaches only the route
 * modules that define that function's routes, and only the request schemas those modules use.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type Route } from '../../lib/routes.js';

const root = join(import.meta.dirname, '../..');
/** Modules of lib/routes that hold no route of their own (types, shared parameters and helpers). */
const SHARED_ROUTE_MODULES = new Set([
  'lib/routes/types.ts',
  'lib/routes/params.ts',
  'lib/routes/path-template.ts',
  'lib/routes/ai/common.ts',
]);
const isRouteModule = (path: string) => path.startsWith('lib/routes/') && !SHARED_ROUTE_MODULES.has(path);
const isSchemaModule = (path: string) =>
  (path.startsWith('lib/schemas/') || path.startsWith('lib/ai/schemas/')) &&
  !['lib/schemas/common.ts', 'lib/schemas/vocabulary.ts'].includes(path);

function listModules(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listModules(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

let metafile: Metafile;
/** The module (relative path) that exports each route object. */
const moduleOf = new Map<Route, string>();

beforeAll(async () => {
  for (const path of listModules('lib/routes').filter(isRouteModule)) {
    const exports = (await import(pathToFileURL(join(root, path)).href)) as Record<string, unknown>;
    for (const value of Object.values(exports)) {
      if (value && typeof value === 'object' && 'fn' in value && 'path' in value)
        moduleOf.set(value as Route, path);
    }
  }
  const fns = [...new Set(ROUTES.map((r) => r.fn))];
  const result = await build({
    entryPoints: Object.fromEntries(fns.map((fn) => [fn, join(root, 'functions', `${fn}.ts`)])),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    outdir: join(root, 'dist/function-routes-test'),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  metafile = result.metafile;
}, 60_000);

/** Every source module a function loads at import: its entry output and the chunks it imports statically. */
function loadedAtImport(fn: string): Set<string> {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((out) => outputs[out]!.entryPoint?.endsWith(`functions/${fn}.ts`));
  if (!entry) throw new Error(`no bundle for functions/${fn}.ts`);
  const seen = new Set<string>();
  const inputs = new Set<string>();
  const visit = (out: string) => {
    if (seen.has(out)) return;
    seen.add(out);
    for (const input of Object.keys(outputs[out]!.inputs))
      inputs.add(relative(root, join(process.cwd(), input)));
    for (const imported of outputs[out]!.imports) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  visit(entry!);
  return inputs;
}

/** Schema modules a route module reaches through its own imports (its request and response schemas). */
function schemasOf(routeModules: string[]): Set<string> {
  const reached = new Set<string>();
  const visit = (path: string) => {
    if (reached.has(path)) return;
    reached.add(path);
    for (const imported of metafile.inputs[path]?.imports ?? []) visit(imported.path);
  };
  for (const path of routeModules) visit(path);
  return new Set([...reached].filter(isSchemaModule));
}

describe('functions: each bundle loads only its own routes', () => {
  it('maps every route of the table to the module that defines it', () => {
    expect(ROUTES.filter((route) => !moduleOf.has(route)).map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it('reaches no other function’s route module and no schema its routes do not use', () => {
    const wrong: string[] = [];
    for (const fn of new Set(ROUTES.map((r) => r.fn))) {
      const own = [...new Set(ROUTES.filter((r) => r.fn === fn).map((r) => moduleOf.get(r)!))];
      const loaded = loadedAtImport(fn);
      for (const path of loaded) {
        if (isRouteModule(path) && !own.includes(path)) wrong.push(`${fn} loads ${path}`);
      }
      const allowed = schemasOf(own);
      for (const path of loaded)
        if (isSchemaModule(path) && !allowed.has(path)) wrong.push(`${fn} loads ${path}`);
    }
    expect(wrong).toEqual([]);
  });
});
