import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_ENVIRONMENT,
  ESM_REQUIRE_BANNER,
  GatewayFunction,
  mergeEnvironment,
} from '../../infra/constructs/gateway-function.js';
import { cdkJsonContext } from './synth.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'esm-handler.ts');
const outdirs: string[] = [];

function stackWith(props: Omit<ConstructorParameters<typeof GatewayFunction>[2], 'entry'>, bundle = false) {
  const outdir = mkdtempSync(join(tmpdir(), 'gateway-fn-'));
  outdirs.push(outdir);
  const context = { ...cdkJsonContext(), ...(bundle ? {} : { [BUNDLING_STACKS]: [] }) };
  const app = new App({ outdir, context });
  const stack = new Stack(app, 'FnTest');
  const fn = new GatewayFunction(stack, 'Fn', { entry: FIXTURE, ...props });
  return { app, stack, fn, outdir };
}

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

describe('GatewayFunction: defaults merged with what the caller passes', () => {
  it('keeps every default variable and adds, or overrides with, the caller environment', () => {
    const env = mergeEnvironment({ TABLE_NAME: 't', LOG_LEVEL: 'DEBUG' });
    expect(env).toMatchObject({ ...DEFAULT_ENVIRONMENT, TABLE_NAME: 't', LOG_LEVEL: 'DEBUG' });
    expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
  });

  it('appends caller NODE_OPTIONS to --enable-source-maps instead of dropping either', () => {
    expect(mergeEnvironment({ NODE_OPTIONS: '--max-old-space-size=400' }).NODE_OPTIONS).toBe(
      '--enable-source-maps --max-old-space-size=400',
    );
    expect(mergeEnvironment({ NODE_OPTIONS: '--enable-source-maps' }).NODE_OPTIONS).toBe(
      '--enable-source-maps',
    );
  });

  it('renders caller props over the defaults and leaves defaults where the caller passes undefined', () => {
    const { stack } = stackWith({
      environment: { EXTRA: 'yes' },
      memorySize: 1024,
      timeout: undefined,
      description: 'caller',
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      Timeout: 29,
      Description: 'caller',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: Match.objectLike({ EXTRA: 'yes', GATEWAY_RUNTIME: 'aws' }) },
    });
  }, 60_000);

  it('gives the role no managed policy and only its own log group among log resources', () => {
    const { stack, fn } = stackWith({});
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [stack.getLogicalId(fn.logGroup.node.defaultChild as never), 'Arn'] },
          }),
        ]),
      },
    });
  }, 60_000);

  it('refuses a timeout beyond Lambda’s 15 minutes', () => {
    expect(() => stackWith({ timeout: Duration.minutes(16) })).toThrow(/exceeds 15 minutes/);
  });
});

describe('GatewayFunction: the real esbuild bundle', () => {
  it('is an ESM module with a source map whose CommonJS requires work (createRequire banner)', async () => {
    const { app } = stackWith({}, true);
    const assembly = app.synth();
    const assetDir = readdirSync(assembly.directory)
      .map((name) => join(assembly.directory, name))
      .find((dir) => existsSync(join(dir, 'index.mjs')));
    expect(assetDir).toBeDefined();
    const bundle = readFileSync(join(assetDir!, 'index.mjs'), 'utf8');
    expect(bundle.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    expect(bundle).toMatch(/sourceMappingURL=index\.mjs\.map/);
    expect(existsSync(join(assetDir!, 'index.mjs.map'))).toBe(true);

    const module = (await import(pathToFileURL(join(assetDir!, 'index.mjs')).href)) as {
      handler: () => Promise<{ statusCode: number; body: string }>;
    };
    await expect(module.handler()).resolves.toEqual({ statusCode: 200, body: process.platform });
  }, 60_000);
});
