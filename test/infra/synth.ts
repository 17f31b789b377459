import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, type CfnElement, NestedStack, type Stack } from 'aws-cdk-lib';
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
  /** Root and nested templates as one (see {@link flattenNested}). */
  template: Template;
  model: TemplateModel;
  /** Each template as CloudFormation gets it: the root stack's, then each nested stack's, by construct path. */
  templates: Map<string, Record<string, unknown>>;
}

type Json = Record<string, unknown>;

/** Replaces, anywhere in `value`, each object `swap` has an answer for. */
function rewrite(value: unknown, swap: (node: Json) => unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => rewrite(v, swap));
  if (value && typeof value === 'object') {
    const replaced = swap(value as Json);
    if (replaced !== undefined) return replaced;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v, swap)]));
  }
  return value;
}

/**
 * The root stack's template with every nested stack's resources merged in, references across the
 * boundary followed: a nested template's `{ Ref: <parameter> }` becomes the value the root passes
 * for it, and the root's `Fn::GetAtt [<nested stack>, Outputs.X]` becomes the nested output's value.
 * Assertions then read one template in which a method's `AuthorizerId` refers to the root's
 * authorizer and an alarm's dimension to the function itself, as CloudFormation resolves them.
 *
 * @throws when a logical id occurs in two templates (a merged assertion would be ambiguous).
 */
export function flattenNested(stack: Stack): { merged: Json; templates: Map<string, Json> } {
  const root = Template.fromStack(stack).toJSON() as Json;
  const templates = new Map<string, Json>([[stack.node.path, root]]);
  const nestedStacks = stack.node.findAll().filter((c): c is NestedStack => NestedStack.isNestedStack(c));
  const outputs = new Map<string, unknown>();
  const merged: Json = { ...(root.Resources as Json) };
  for (const nested of nestedStacks) {
    const template = Template.fromStack(nested).toJSON() as Json;
    templates.set(nested.node.path, template);
    const resourceId = stack.getLogicalId(nested.nestedStackResource!);
    const passed =
      ((root.Resources as Json)[resourceId] as { Properties: { Parameters?: Json } }).Properties.Parameters ??
      {};
    const local = rewrite(template.Resources, (node) =>
      typeof node.Ref === 'string' && node.Ref in passed ? passed[node.Ref] : undefined,
    ) as Json;
    for (const [id, resource] of Object.entries(local)) {
      if (id in merged) throw new Error(`logical id ${id} occurs in two templates`);
      merged[id] = resource;
    }
    for (const [name, output] of Object.entries((template.Outputs ?? {}) as Json)) {
      outputs.set(`${resourceId}/Outputs.${name}`, (output as { Value: unknown }).Value);
    }
  }
  const resolved = rewrite(merged, (node) => {
    const getAtt = node['Fn::GetAtt'];
    return Array.isArray(getAtt) ? outputs.get(`${getAtt[0]}/${getAtt[1]}`) : undefined;
  });
  return { merged: { ...root, Resources: resolved }, templates };
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
  const { merged, templates } = flattenNested(stack);
  const template = Template.fromJSON(merged, { skipCyclicalDependenciesCheck: true });
  return { app, stack, template, model: new TemplateModel(template), templates };
}

/** Helpers over one synthesized app: logical ids, a function's allowed statements and environment. */
export function inspect(synth: Synthesized) {
  return {
    logicalId: (construct: { node: { defaultChild?: unknown } }) =>
      synth.stack.getLogicalId(construct.node.defaultChild as CfnElement),
    allowedOf: (functionId: string) =>
      synth.model
        .statementsOfRole(synth.model.roleOfFunction(functionId))
        .filter((st) => st.Effect === 'Allow'),
    envOf: (functionId: string): Record<string, unknown> =>
      (
        synth.model.resources[functionId]?.Properties.Environment as
          | { Variables?: Record<string, unknown> }
          | undefined
      )?.Variables ?? {},
  };
}
