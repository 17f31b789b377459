import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { ESM_REQUIRE_BANNER, GatewayFunction } from '../../infra/constructs/gateway-function.js';
import { cdkJsonContext } from './synth.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const outdirs: string[] = [];

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** Synthesizes, bundling for real, one stack with a GatewayFunction per entry; asset dir per function id. */
function synthesize(entries: Record<string, string>) {
  const outdir = mkdtempSync(join(tmpdir(), 'gateway-bundle-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: cdkJsonContext() });
  const stack = new Stack(app, 'BundleTest');
  for (const [id, entry] of Object.entries(entries))
    new GatewayFunction(stack, id, { entry: join(FIXTURES, entry) });
  const assembly = app.synth();
  const keys = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).map(
    (fn) => (fn as { Properties: { Code: { S3Key: string } } }).Properties.Code.S3Key,
  );
  return keys.map((key) => join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`));
}

describe('GatewayFunction: code splitting', () => {
  it('bundles each function from its own entry, never reusing another function’s bundle', () => {
    const [eager, lazy] = synthesize({ Eager: 'esm-handler.ts', Lazy: 'esm-lazy-handler.ts' });
    expect(eager).not.toBe(lazy);
    expect(readFileSync(join(lazy!, 'index.mjs'), 'utf8')).toContain('describePlatform');
    expect(readFileSync(join(eager!, 'index.mjs'), 'utf8')).not.toContain('describePlatform');
  }, 60_000);

  it('puts what the handler imports dynamically in a chunk, loaded on the first call', async () => {
    const [assetDir] = synthesize({ Lazy: 'esm-lazy-handler.ts' });
    const index = readFileSync(join(assetDir!, 'index.mjs'), 'utf8');
    expect(index).not.toContain('platform()');
    const chunks = readdirSync(join(assetDir!, 'chunks')).filter((name) => name.endsWith('.mjs'));
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) {
      expect(readFileSync(join(assetDir!, 'chunks', chunk), 'utf8').startsWith(ESM_REQUIRE_BANNER)).toBe(
        true,
      );
      expect(existsSync(join(assetDir!, 'chunks', `${chunk}.map`))).toBe(true);
    }

    const module = (await import(pathToFileURL(join(assetDir!, 'index.mjs')).href)) as {
      handler: () => Promise<{ statusCode: number; body: string }>;
    };
    await expect(module.handler()).resolves.toEqual({ statusCode: 200, body: `lazy ${process.platform}` });
  }, 60_000);
});
