import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GatewayStack, type GatewayStackProps } from './gateway-stack.js';

/** The stack's id, which is also its CloudFormation name. */
export const STACK_ID = 'GatewayStack';

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
    ...options.stack,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}
