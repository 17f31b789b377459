import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import {
  AssetHashType,
  DockerImage,
  Duration,
  type ILocalBundling,
  RemovalPolicy,
  Validations,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';
import { REPO_ROOT } from '../paths.js';

/** API Gateway's integration timeout for buffered routes; a longer function would only be cut off. */
export const BUFFERED_TIMEOUT = Duration.seconds(29);

/** Lambda's ceiling, which is also API Gateway's ceiling for a STREAM integration. */
export const MAX_TIMEOUT = Duration.minutes(15);

/**
 * Lets the ESM bundle load the CommonJS dependencies esbuild leaves as `require(...)` calls
 * (Node built-ins required from inside CJS packages): ESM has no `require` of its own.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __gatewayCreateRequire } from 'node:module';const require = __gatewayCreateRequire(import.meta.url);";

/** Environment every gateway function starts from; callers add to it and may override any entry. */
export const DEFAULT_ENVIRONMENT: Readonly<Record<string, string>> = {
  GATEWAY_RUNTIME: 'aws',
  POWERTOOLS_SERVICE_NAME: 'ai-gateway',
  LOG_LEVEL: 'INFO',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** The option the runtime needs to map stack traces through the bundle's source map. */
const SOURCE_MAPS_OPTION = '--enable-source-maps';

/**
 * esbuild options a caller may override (`bundling`); the entry, the output directory and the file
 * names belong to the construct.
 */
export type GatewayBundlingOptions = Omit<
  BuildOptions,
  'entryPoints' | 'outdir' | 'outfile' | 'entryNames' | 'chunkNames' | 'outExtension' | 'write' | 'stdin'
>;

/**
 * The bundle: one ESM module `index.mjs` exporting the handler, and under `chunks/` what it imports
 * only dynamically (code splitting), each with its source map. The AWS SDK clients, the X-Ray tracer
 * and every other module behind an `import()` are read and compiled when first used, not at cold
 * start (a function that never publishes an event never loads EventBridge). CDK's NodejsFunction
 * bundling cannot split (it always passes esbuild `--outfile`), hence esbuild's API here.
 */
const DEFAULT_BUNDLING: GatewayBundlingOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  splitting: true,
  target: 'node22',
  // Prefer the ESM build of dependencies that ship both.
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  banner: { js: ESM_REQUIRE_BANNER },
  // Bundle the AWS SDK too: the pinned version the tests ran against, not whatever the runtime has.
  external: [],
  logLevel: 'warning',
};

/**
 * Props of {@link GatewayFunction}: any `NodejsFunctionProps` (each one overrides the default of
 * the same name; `environment` and `bundling` are merged key by key) except `role` and `logGroup`,
 * which the construct owns so that it can keep both least-privilege and retained, and the bundling
 * inputs (`code`, `bundling`, `depsLockFilePath`, `projectRoot`): the construct bundles itself.
 */
export interface GatewayFunctionProps
  extends Omit<
    NodejsFunctionProps,
    'role' | 'logGroup' | 'logRetention' | 'code' | 'bundling' | 'depsLockFilePath' | 'projectRoot'
  > {
  /** The handler module (`.ts`), exporting `handler`. */
  entry: string;
  /** How long the function's log group keeps events. Default one month. */
  logRetention?: logs.RetentionDays;
  /** esbuild options over the defaults (ESM, code splitting, minified, source maps, node22). */
  bundling?: GatewayBundlingOptions;
}

/**
 * The function's code: the esbuild bundle of `entry`, built locally in-process (never Docker) into
 * the asset's output directory; the asset hash is the output's, as with NodejsFunction.
 */
export function bundledCode(entry: string, bundling: GatewayBundlingOptions = DEFAULT_BUNDLING): lambda.Code {
  const entryPoint = resolve(entry);
  // Checked at synth even when bundling is skipped (`aws:cdk:bundling-stacks`), as NodejsFunction does.
  if (!existsSync(entryPoint)) throw new Error(`Cannot find entry file at ${entryPoint}`);
  return lambda.Code.fromAsset(REPO_ROOT, {
    // Hash the bundle (what is deployed), not the source tree.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type; used only if local bundling declined, which it never does.
      image: DockerImage.fromRegistry('esbuild-local-bundling-only'),
      local: new EsbuildBundling(relative(REPO_ROOT, entryPoint), bundling),
    },
  });
}

/**
 * Local bundling with esbuild's API. Its fields are data on purpose: CDK reuses a staged asset
 * whose source path and bundling options serialize the same (functions do not serialize), so the
 * entry must be one of them, or every function of the stack would get the first one's bundle.
 */
class EsbuildBundling implements ILocalBundling {
  constructor(
    /** Relative to the repository root. */
    readonly entry: string,
    readonly options: GatewayBundlingOptions,
  ) {}

  tryBundle(outputDir: string): boolean {
    const result = buildSync({
      ...this.options,
      absWorkingDir: REPO_ROOT,
      entryPoints: { index: this.entry },
      outdir: outputDir,
      entryNames: '[name]',
      chunkNames: 'chunks/[name]-[hash]',
      outExtension: { '.js': '.mjs' },
      metafile: true,
    });
    if (this.options.splitting) assertNoLazyCommonJs(this.entry, result.metafile);
    return true;
  }
}

/**
 * With code splitting, esbuild makes a CommonJS module reached through `import()` a chunk with only
 * a default export, so `const { x } = await import('cjs-package')` would find no `x` (unsplit, it
 * had one). Every `import()` must therefore reach an ES module; a bundle where one does not fails.
 */
export function assertNoLazyCommonJs(entry: string, metafile: Metafile): void {
  const offenders = Object.entries(metafile.inputs).flatMap(([from, input]) =>
    input.imports
      .filter((i) => i.kind === 'dynamic-import' && metafile.inputs[i.path]?.format === 'cjs')
      .map((i) => `${from} -> ${i.path}`),
  );
  if (offenders.length > 0) {
    throw new Error(
      `${entry}: import() of CommonJS modules (named exports are lost with code splitting): ${offenders.join(', ')}`,
    );
  }
}

/** NodejsFunction's rule: the export name in `index.mjs`, unless the caller names the file too. */
function handlerOf(handler = 'handler'): string {
  return handler.includes('.') ? handler : `index.${handler}`;
}

/** Drops keys whose value is `undefined`, so that `{ timeout: undefined }` cannot erase a default. */
function defined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Caller environment over the defaults; `NODE_OPTIONS` keeps source maps on and appends the caller's. */
export function mergeEnvironment(caller: Record<string, string> | undefined): Record<string, string> {
  const merged = { ...DEFAULT_ENVIRONMENT, ...defined(caller) } as Record<string, string>;
  const options = (caller?.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
  if (!options.includes(SOURCE_MAPS_OPTION)) options.unshift(SOURCE_MAPS_OPTION);
  merged.NODE_OPTIONS = options.join(' ');
  return merged;
}

/**
 * The one way this stack makes a Lambda function: Node.js 22 on ARM64, an esbuild ESM bundle with
 * source maps (bundled with the local esbuild, never Docker), active X-Ray tracing, a log group of
 * its own with a retention, 512 MB and 29 s unless the caller says otherwise.
 *
 * The execution role is created here with no managed policy: the function may write to its own log
 * group and X-Ray, nothing else, until a grant helper (table, secrets, keys) adds exactly what the
 * handler uses.
 *
 * @throws when `timeout` exceeds 15 minutes (Lambda's limit).
 */
export class GatewayFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: GatewayFunctionProps) {
    super(scope, id);
    const { logRetention, entry, bundling, ...rest } = props;
    const callerProps = defined(rest);
    if (callerProps.timeout && callerProps.timeout.toSeconds() > MAX_TIMEOUT.toSeconds()) {
      throw new Error(`${this.node.path}: timeout ${callerProps.timeout.toHumanString()} exceeds 15 minutes`);
    }

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}`,
    });
    // Instead of AWSLambdaBasicExecutionRole (logs:* on every log group): this group only.
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: BUFFERED_TIMEOUT,
      tracing: lambda.Tracing.ACTIVE,
      ...callerProps,
      handler: handlerOf(callerProps.handler),
      code: bundledCode(entry, { ...DEFAULT_BUNDLING, ...defined(bundling) }),
      environment: mergeEnvironment(callerProps.environment),
      role: this.role,
      logGroup: this.logGroup,
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Resource "*" is used only for actions that support no resource-level permissions: the X-Ray ' +
        'statement of active tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) and, where the ' +
        'function needs them, bedrock:ListAsyncInvokes (health probe) and dynamodb:ListStreams (stream ' +
        'event source). The stack tests assert that no other statement of a function role has one.',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x on purpose: the code targets ES2022 and is tested on Node 20/22 APIs ' +
        '(TOOLCHAIN.md); move to the next runtime when CI runs on it.',
    });
  }

  /** Adds (or replaces) one environment variable; used by grant helpers that also set the name. */
  addEnvironment(name: string, value: string): void {
    this.function.addEnvironment(name, value);
  }
}
