import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GatewayStack, type GatewayStackProps } from './gateway-stack.js';

/** The stack's id, which is also its CloudFormation name. */
export const STACK_ID = 'GatewayStack';

/**
 * Stack props an operator may set at deploy time without editing code, from CDK context
 * (`npx cdk deploy -c healthCheckInterval=600 -c reserveConcurrency=false`; CLI values are strings).
 *
 * @throws on a value that is not a number (interval) or `true`/`false` (concurrency).
 */
export function stackPropsFromContext(get: (key: string) => unknown): GatewayStackProps {
  const props: { healthCheckInterval?: number; reserveConcurrency?: boolean } = {};
  const interval = get('healthCheckInterval');
  if (interval !== undefined) {
    const value = Number(interval);
    if (!Number.isFinite(value))
      throw new Error(`context healthCheckInterval must be a number (got ${String(interval)})`);
    props.healthCheckInterval = value;
  }
  const reserve = get('reserveConcurrency');
  if (reserve !== undefined) {
    if (!['true', 'false'].includes(String(reserve)))
      throw new Error(`context reserveConcurrency must be true or false (got ${String(reserve)})`);
    props.reserveConcurrency = String(reserve) === 'true';
  }
  return props;
}

/**
 * The CDK app: the gateway stack, checked by cdk-nag's AwsSolutions pack as a validation plugin
 * (cdk-nag 3: a finding that is not acknowledged fails the synth). `infra/app.ts` synthesizes it for
 * the CLI; the template tests build the very same app.
 */
export function createGatewayApp(options: { app?: AppProps; stack?: GatewayStackProps } = {}): {
  app: App;
  stack: GatewayStack;
} {
  const app = new App(options.app);
  const stack = new GatewayStack(app, STACK_ID, {
    description: 'AI provider gateway: REST API, functions, table, keys and secrets',
    ...stackPropsFromContext((key) => app.node.tryGetContext(key)),
    ...options.stack,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}
