import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { createGatewayApp } from '../../infra/gateway-app.js';
import type { GatewayStack, GatewayStackProps } from '../../infra/gateway-stack.js';
import { REPO_ROOT } from '../../infra/paths.js';
import { TemplateModel } from './template-model.js';

/** The feature flags `cdk synth` runs with, so the tests synthesize exactly what the CLI would. */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')).context;
}

export interface Synthesized {
  app: App;
  stack: GatewayStack;
  template: Template;
  model: TemplateModel;
}

/**
 * Synthesizes the real app (cdk-nag plugin included) with esbuild bundling skipped through CDK's own
 * `aws:cdk:bundling-stacks` context, the switch `cdk synth <other stack>` uses. No template assertion
 * depends on bundle contents (asset hashes only); `bundling.test.ts` bundles for real. The handler
 * modules must still exist: NodejsFunction resolves every entry.
 */
export function synthGateway(stackProps: GatewayStackProps = {}): Synthesized {
  const { app, stack } = createGatewayApp({
    app: { context: { ...cdkJsonContext(), [BUNDLING_STACKS]: [] } },
    stack: stackProps,
  });
  const template = Template.fromStack(stack);
  return { app, stack, template, model: new TemplateModel(template) };
}
