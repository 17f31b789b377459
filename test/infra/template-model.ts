/**
 * Reads the synthesized template the way API Gateway and IAM will: which path a method sits on,
 * which function serves it, which statements a function's role carries. Everything is found by
 * following references (`Ref`, `Fn::GetAtt`), never by hard-coded logical ids.
 */
import type { Template } from 'aws-cdk-lib/assertions';

type Json = Record<string, unknown>;
export interface CfnResource {
  Type: string;
  Properties: Json;
}
export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}

/** Every `Fn::GetAtt` target logical id inside a value, depth first. */
export function getAttTargets(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(getAttTargets);
  if (value && typeof value === 'object') {
    const getAtt = (value as Json)['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return [getAtt[0]];
    return Object.values(value).flatMap(getAttTargets);
  }
  return [];
}

/** The logical id a `{ Ref }` points at. */
export function refOf(value: unknown): string | undefined {
  const ref = (value as Json | undefined)?.Ref;
  return typeof ref === 'string' ? ref : undefined;
}

/** Actions of a statement, always as an array. */
export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** Resources of a statement, always as an array. */
export function resourcesOf(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

export class TemplateModel {
  readonly resources: Record<string, CfnResource>;

  constructor(template: Template) {
    this.resources = template.toJSON().Resources as Record<string, CfnResource>;
  }

  ofType(type: string): Array<[string, CfnResource]> {
    return Object.entries(this.resources).filter(([, r]) => r.Type === type);
  }

  /** The full path of an `AWS::ApiGateway::Resource`, rebuilt from `PathPart` and `ParentId`. */
  resourcePath(logicalId: string): string {
    const parts: string[] = [];
    let current: string | undefined = logicalId;
    while (current) {
      const resource: CfnResource | undefined = this.resources[current];
      if (resource?.Type !== 'AWS::ApiGateway::Resource') break;
      parts.unshift(String(resource.Properties.PathPart));
      current = refOf(resource.Properties.ParentId);
    }
    return `/${parts.join('/')}`;
  }

  /** The logical id of the API Gateway resource whose full path is `path`. */
  resourceIdForPath(path: string): string | undefined {
    return this.ofType('AWS::ApiGateway::Resource').find(([id]) => this.resourcePath(id) === path)?.[0];
  }

  /** Every method as `METHOD /path` with its properties. */
  methods(): Array<{ key: string; id: string; props: Json }> {
    return this.ofType('AWS::ApiGateway::Method').map(([id, m]) => {
      const resourceId = refOf(m.Properties.ResourceId);
      const path = resourceId ? this.resourcePath(resourceId) : '/';
      return { key: `${m.Properties.HttpMethod} ${path}`, id, props: m.Properties };
    });
  }

  /** The Lambda function a method integrates with (from its integration URI). */
  functionOfMethod(props: Json): string {
    const uri = (props.Integration as Json | undefined)?.Uri;
    const fn = getAttTargets(uri).find((id) => this.resources[id]?.Type === 'AWS::Lambda::Function');
    if (!fn) throw new Error('method has no Lambda integration');
    return fn;
  }

  /** The role a function runs as. */
  roleOfFunction(functionId: string): string {
    const role = getAttTargets(this.resources[functionId]?.Properties.Role)[0];
    if (!role) throw new Error(`${functionId} has no role`);
    return role;
  }

  /** Every statement of every policy attached to a role (inline and `AWS::IAM::Policy`). */
  statementsOfRole(roleId: string): Statement[] {
    const attached = this.ofType('AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as unknown[]).some((r) => refOf(r) === roleId))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const inline = ((this.resources[roleId]?.Properties.Policies as Json[] | undefined) ?? []).flatMap(
      (p) => (p.PolicyDocument as { Statement: Statement[] }).Statement,
    );
    const managed = (this.resources[roleId]?.Properties.ManagedPolicyArns as unknown[] | undefined) ?? [];
    if (managed.length > 0) throw new Error(`${roleId} has managed policies`);
    return [...attached, ...inline];
  }

  /** Every action a function's role allows, with the statements' resources. */
  allowedActions(functionId: string): Set<string> {
    return new Set(
      this.statementsOfRole(this.roleOfFunction(functionId))
        .filter((s) => s.Effect === 'Allow')
        .flatMap(actionsOf),
    );
  }
}
