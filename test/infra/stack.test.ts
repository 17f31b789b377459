import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Annotations, Capture, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CREDENTIAL_CONTEXT_KEYS } from '../../infra/constructs/credential-key.js';
import { envelopeTemplate, GATEWAY_ERRORS } from '../../infra/constructs/gateway-responses.js';
import { TABLE_WRITE_ACTIONS } from '../../infra/constructs/gateway-table.js';
import { CREDENTIAL_SECRET_PREFIX } from '../../infra/constructs/secrets.js';
import { CONSOLE_DIST_DIR } from '../../infra/paths.js';
import { functionsOf, needsOf } from '../../infra/route-needs.js';
import { pathParameters } from '../../lib/routes/path-template.js';
import { ROUTES, type Route, routeKey } from '../../lib/routes.js';
import { ITEM_PARTITIONS, type ItemKind } from '../../lib/store/keys.js';
import { TABLE_SCHEMA } from '../../lib/store/table-schema.js';
import { STREAM_CONSUMERS } from '../../lib/streams/consumers.js';
import { acknowledgements, allFindings, unacknowledgedFindings } from './nag.js';
import { type Synthesized, synthGateway } from './synth.js';
import { actionsOf, getAttTargets, refOf, resourcesOf, type Statement } from './template-model.js';

let s: Synthesized;
const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  s.stack.getLogicalId(construct.node.defaultChild as CfnElement);
const methodOf = (route: Pick<Route, 'method' | 'path'>) => {
  const method = s.model.methods().find((m) => m.key === routeKey(route));
  if (!method) throw new Error(`no method for ${routeKey(route)}`);
  return method;
};
const functionOfRoute = (route: Route) => s.model.functionOfMethod(methodOf(route).props);
/**
 * The gateway's own functions: every Lambda function but CDK's BucketDeployment copier, a
 * deploy-time singleton (Python) that CDK builds to copy the console's files (its grants are
 * pinned in the console tests below).
 */
const COPIER = /^CustomCDKBucketDeployment/;
const gatewayFunctions = () => s.model.ofType('AWS::Lambda::Function').filter(([id]) => !COPIER.test(id));
const statementsOf = (functionId: string): Statement[] =>
  s.model.statementsOfRole(s.model.roleOfFunction(functionId)).filter((st) => st.Effect === 'Allow');

beforeAll(() => {
  s = synthGateway();
}, 300_000);

/** A table write grant as the template states it: its actions and its `dynamodb:LeadingKeys` patterns. */
interface WriteGrant {
  actions: string[];
  leadingKeys: string[];
}

const REFUSAL_GRANT: WriteGrant = { actions: ['dynamodb:PutItem'], leadingKeys: ['DENIAL#*'] };

/** The function's DynamoDB write statements; each must be on the table alone, under a LeadingKeys condition. */
function writeGrantsOf(statements: Statement[]): WriteGrant[] {
  const writes = statements.filter((st) =>
    actionsOf(st).some((a) => /^dynamodb:(Put|Update|Delete|BatchWrite|TransactWrite)/.test(a)),
  );
  return writes
    .map((st) => {
      expect(resourcesOf(st)).toEqual([{ 'Fn::GetAtt': [logicalId(s.stack.table.table), 'Arn'] }]);
      const condition = st.Condition as Record<string, Record<string, unknown>>;
      expect(condition.Null).toEqual({ 'dynamodb:LeadingKeys': 'false' });
      const keys = condition['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
      return { actions: actionsOf(st).sort(), leadingKeys: ([] as string[]).concat(keys as string[]).sort() };
    })
    .sort((a, b) => a.actions.length - b.actions.length);
}

/** Every LeadingKeys pattern a function may write under, whatever the action. */
const leadingKeysOf = (statements: Statement[]) =>
  [...new Set(writeGrantsOf(statements).flatMap((g) => g.leadingKeys))].sort();

/** What a route function must hold: its refusal records, and every write action on its declared kinds. */
function expectedWriteGrants(routes: Route[], writes: Set<ItemKind>): WriteGrant[] {
  const grants: WriteGrant[] = routes.some((r) => r.access !== 'public') ? [REFUSAL_GRANT] : [];
  if (writes.size > 0) {
    grants.push({
      actions: [...TABLE_WRITE_ACTIONS].sort(),
      leadingKeys: [...writes].map((kind) => `${ITEM_PARTITIONS[kind]}*`).sort(),
    });
  }
  return grants;
}

describe('REST API built from ROUTES', () => {
  it.each(ROUTES.map((r) => [routeKey(r), r] as const))('%s is a method on its resource path', (_, route) => {
    const resourceId = s.model.resourceIdForPath(route.path);
    expect(resourceId, `resource ${route.path}`).toBeDefined();
    const requestParameters = Object.fromEntries(
      pathParameters(route.path).map((p) => [`method.request.path.${p}`, true]),
    );
    s.template.hasResourceProperties(
      'AWS::ApiGateway::Method',
      Match.objectLike({
        HttpMethod: route.method,
        ResourceId: { Ref: resourceId },
        Integration: Match.objectLike({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' }),
        ...(Object.keys(requestParameters).length > 0 ? { RequestParameters: requestParameters } : {}),
      }),
    );
    const description = s.model.resources[functionOfRoute(route)]?.Properties.Description;
    expect(description).toContain(routeKey(route));
  });

  it('has exactly one method per route and no other', () => {
    expect(
      s.model
        .methods()
        .map((m) => m.key)
        .sort(),
    ).toEqual(ROUTES.map(routeKey).sort());
  });

  it('puts the REQUEST authorizer on every route except the public ones', () => {
    const [authorizerId] = Object.keys(s.template.findResources('AWS::ApiGateway::Authorizer'));
    for (const route of ROUTES) {
      const { props } = methodOf(route);
      if (route.access === 'public') {
        expect(props.AuthorizationType, routeKey(route)).toBe('NONE');
        expect(props.AuthorizerId, routeKey(route)).toBeUndefined();
      } else {
        expect(props.AuthorizationType, routeKey(route)).toBe('CUSTOM');
        expect(refOf(props.AuthorizerId), routeKey(route)).toBe(authorizerId);
      }
    }
  });

  it('streams the responses of streaming routes and buffers all others', () => {
    for (const route of ROUTES) {
      const integration = methodOf(route).props.Integration as Record<string, unknown>;
      const uri = JSON.stringify(integration.Uri);
      if (route.streams) {
        expect(integration.ResponseTransferMode, routeKey(route)).toBe('STREAM');
        expect(uri).toContain('/response-streaming-invocations');
      } else {
        expect(integration.ResponseTransferMode ?? 'BUFFERED', routeKey(route)).toBe('BUFFERED');
        expect(uri).toContain('/invocations');
      }
    }
  });

  it('authorizes with an uncached REQUEST authorizer that requires no particular header', () => {
    s.template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      AuthorizerResultTtlInSeconds: 0,
      IdentitySource: Match.absent(),
    });
  });

  it('is regional with its execute-api endpoint on, validates requests and has no CORS preflight', () => {
    s.template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
      DisableExecuteApiEndpoint: false,
    });
    const validator = new Capture();
    s.template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    s.template.hasResourceProperties('AWS::ApiGateway::Method', { RequestValidatorId: { Ref: validator } });
    for (const { props } of s.model.methods())
      expect(refOf(props.RequestValidatorId)).toBe(validator.asString());
    expect(s.model.methods().some((m) => m.key.startsWith('OPTIONS '))).toBe(false);
  });

  it('traces, throttles, logs errors without bodies and writes JSON access logs on the stage', () => {
    const format = new Capture();
    s.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
        }),
      ]),
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: format },
    });
    // Without the region's logging role API Gateway refuses to deploy a stage that logs.
    s.template.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain' });
    const fields = JSON.parse(format.asString());
    expect(fields).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(JSON.stringify(fields).toLowerCase()).not.toMatch(/authorization|x-api-key|header/);
  });

  it.each(GATEWAY_ERRORS.map((e) => [e.type.responseType, e] as const))(
    'answers %s with the error envelope and the request id',
    (_, error) => {
      s.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: error.type.responseType,
        StatusCode: error.statusCode ?? Match.absent(),
        ResponseTemplates: { 'application/json': envelopeTemplate(error) },
      });
      expect(envelopeTemplate(error)).toContain('"request_id":"$context.requestId"');
    },
  );
});

describe('functions', () => {
  it('builds one function per handler module, the authorizer, each stream consumer, the health check, the park replay and the reconcile', () => {
    expect(gatewayFunctions()).toHaveLength(functionsOf(ROUTES).size + 1 + STREAM_CONSUMERS.length + 1 + 2);
  });

  it('runs every function on nodejs22.x/arm64 with tracing, source maps and a retained log group', () => {
    for (const [id, fn] of gatewayFunctions()) {
      expect(fn.Properties, id).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        MemorySize: 512,
        Environment: {
          Variables: expect.objectContaining({
            GATEWAY_RUNTIME: 'aws',
            POWERTOOLS_SERVICE_NAME: 'ai-gateway',
            NODE_OPTIONS: expect.stringContaining('--enable-source-maps'),
            TABLE_NAME: { Ref: logicalId(s.stack.table.table) },
          }),
        },
      });
      const logGroup = refOf((fn.Properties.LoggingConfig as Record<string, unknown> | undefined)?.LogGroup);
      expect(logGroup, id).toBeDefined();
      expect(s.model.resources[logGroup!]?.Properties.RetentionInDays, id).toBe(30);
    }
  });

  it('gives buffered routes 29 s (API Gateway integration limit) and streaming routes 300 s by default', () => {
    expect(ROUTES.some((r) => r.streams)).toBe(true);
    for (const route of ROUTES) {
      const timeout = s.model.resources[functionOfRoute(route)]?.Properties.Timeout;
      expect(timeout, routeKey(route)).toBe(route.streams ? 300 : 29);
      const integration = methodOf(route).props.Integration as Record<string, unknown>;
      if (route.streams) expect(integration.TimeoutInMillis, routeKey(route)).toBe(300_000);
    }
  });
});

describe('IAM: each function may do what its routes do and nothing else', () => {
  const cases = [...functionsOf(ROUTES)].map(([fn, entry]) => [fn, entry] as const);

  it.each(cases)('%s', (_, { routes, needs, writes }) => {
    const functionId = functionOfRoute(routes[0]!);
    const statements = statementsOf(functionId);
    const actions = new Set(statements.flatMap(actionsOf));

    expect(actions).toContain('dynamodb:GetItem');
    expect(actions).toContain('dynamodb:Query');
    expect(writeGrantsOf(statements)).toEqual(expectedWriteGrants(routes, writes));
    expect(actions.has('dynamodb:TransactWriteItems')).toBe(false);
    expect([...actions].filter((a) => a.includes('*'))).toEqual([]);
    expect(actions.has('dynamodb:Scan')).toBe(false);

    const secretReads = statements
      .filter((st) => actionsOf(st).includes('secretsmanager:GetSecretValue'))
      .flatMap(resourcesOf);
    const pepperId = logicalId(s.stack.secrets.apiKeyPepper);
    expect(secretReads.map(refOf).filter(Boolean)).toEqual(needs.has('apiKeyPepper') ? [pepperId] : []);
    const prefixReads = secretReads.filter((r) =>
      JSON.stringify(r).includes(`:secret:${CREDENTIAL_SECRET_PREFIX}*`),
    );
    expect(prefixReads).toHaveLength(needs.has('credentialSecretRef') ? 1 : 0);
    expect(secretReads).toHaveLength((needs.has('apiKeyPepper') ? 1 : 0) + prefixReads.length);

    const credentialKeyId = logicalId(s.stack.credentialKey.key);
    const onCredentialKey = statements.filter((st) => getAttTargets(st.Resource).includes(credentialKeyId));
    const expectedKeyActions = needs.has('credentialEnvelope')
      ? ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']
      : needs.has('credentialDecrypt')
        ? ['kms:Decrypt']
        : [];
    expect(onCredentialKey.flatMap(actionsOf).sort()).toEqual(expectedKeyActions);
    for (const st of onCredentialKey) expect(st.Condition).toMatchObject(credentialContextCondition());

    const tableKeyId = logicalId(s.stack.table.key);
    for (const st of statements.filter((x) => getAttTargets(x.Resource).includes(tableKeyId))) {
      expect(st.Condition).toMatchObject({ StringEquals: { 'kms:ViaService': expect.anything() } });
    }

    const env =
      (
        s.model.resources[functionId]?.Properties.Environment as
          | { Variables?: Record<string, unknown> }
          | undefined
      )?.Variables ?? {};
    const usesCredentialKey = needs.has('credentialEnvelope') || needs.has('credentialDecrypt');
    expect(env.CREDENTIAL_KEY_ID !== undefined, 'CREDENTIAL_KEY_ID').toBe(usesCredentialKey);
    expect(env.API_KEY_PEPPER_SECRET_ARN !== undefined, 'API_KEY_PEPPER_SECRET_ARN').toBe(
      needs.has('apiKeyPepper'),
    );

    // secret_ref secrets under a customer key: Decrypt only through Secrets Manager, only for them.
    const secretKeyDecrypts = statements.filter((st) =>
      JSON.stringify(st.Condition ?? {}).includes('kms:EncryptionContext:SecretARN'),
    );
    expect(secretKeyDecrypts).toHaveLength(needs.has('credentialSecretRef') ? 1 : 0);
    for (const st of secretKeyDecrypts) {
      expect(actionsOf(st)).toEqual(['kms:Decrypt']);
      expect(JSON.stringify(st.Resource)).toContain(':key/*');
      expect(JSON.stringify(st.Condition)).toContain('secretsmanager.');
      expect(JSON.stringify(st.Condition)).toContain(`:secret:${CREDENTIAL_SECRET_PREFIX}*`);
    }

    const bedrock = [...actions].filter((a) => a.startsWith('bedrock:')).sort();
    expect(bedrock).toEqual(
      needs.has('bedrock')
        ? [
            'bedrock:CountTokens',
            'bedrock:InvokeModel',
            'bedrock:InvokeModelWithResponseStream',
            'bedrock:ListAsyncInvokes',
          ]
        : [],
    );
    expect(actions.has('events:PutEvents')).toBe(needs.has('events'));
    expect(env.EVENT_BUS_NAME !== undefined, 'EVENT_BUS_NAME').toBe(needs.has('events'));
  });

  it('uses a wildcard resource only for actions without resource types, and no role has a managed policy', () => {
    // X-Ray (tracing), the Bedrock health probe and the stream event source's ListStreams.
    const withoutResourceTypes = (a: string) =>
      a.startsWith('xray:') || a === 'bedrock:ListAsyncInvokes' || a === 'dynamodb:ListStreams';
    for (const [functionId] of gatewayFunctions()) {
      for (const st of statementsOf(functionId)) {
        if (resourcesOf(st).includes('*')) {
          expect(actionsOf(st).every(withoutResourceTypes), `${functionId}: ${actionsOf(st)}`).toBe(true);
        }
      }
    }
  });

  it('derives read-only access for GET routes', () => {
    for (const route of ROUTES.filter((r) => r.method === 'GET'))
      expect(needsOf(route).has('tableWrite')).toBe(false);
  });

  it('gives no function that serves only reads a write beyond its refusal records', () => {
    const readOnly = [...functionsOf(ROUTES)].filter(([, f]) => f.routes.every((r) => r.method === 'GET'));
    expect(readOnly.length).toBeGreaterThan(10);
    for (const [fn, { routes }] of readOnly) {
      const grants = writeGrantsOf(statementsOf(functionOfRoute(routes[0]!)));
      const refusalsOnly = routes.every((r) => r.access === 'public') ? [] : [REFUSAL_GRANT];
      expect(grants, fn).toEqual(refusalsOnly);
    }
  });

  it('keeps the AI functions away from API keys, the audit trail and teams, and only the audit writer on the audit trail', () => {
    const byFunction = new Map<string, string[]>([
      ...[...functionsOf(ROUTES)].map(
        ([fn, f]) => [fn, leadingKeysOf(statementsOf(functionOfRoute(f.routes[0]!)))] as [string, string[]],
      ),
      ...s.stack.streamConsumers.consumers.map(
        ({ consumer, fn }) =>
          [consumer.fn, leadingKeysOf(statementsOf(logicalId(fn.function)))] as [string, string[]],
      ),
      ['health/scheduled-check', leadingKeysOf(statementsOf(logicalId(s.stack.healthSchedule.fn.function)))],
    ]);
    const sensitive = ['APIKEY#*', 'APIKEY_RECORD#*', 'AUDIT#*', 'AUDIT_HEAD*', 'AUDIT_SOURCE#*', 'TEAM#*'];
    for (const fn of [...byFunction.keys()].filter((f) => f.startsWith('ai/'))) {
      expect(
        byFunction.get(fn)!.filter((k) => sensitive.includes(k)),
        fn,
      ).toEqual([]);
    }
    const audit = ['AUDIT#*', 'AUDIT_HEAD*', 'AUDIT_SOURCE#*'];
    const auditWriters = [...byFunction]
      .filter(([, k]) => k.some((p) => audit.includes(p)))
      .map(([fn]) => fn);
    expect(auditWriters).toEqual(['streams/audit-writer']);
    expect(byFunction.get('ai/chat')).toEqual([
      'CACHE#*',
      'CACHE_MODEL#*',
      'CREDENTIAL#*',
      'DENIAL#*',
      'LOG#*',
      'PROVIDER#*',
      'QUOTA#*',
      'RATE#*',
      'USAGE#*',
    ]);
    expect(byFunction.get('streams/audit-writer')).toEqual(audit.slice().sort());
  });
});

function credentialContextCondition() {
  return {
    'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': [...CREDENTIAL_CONTEXT_KEYS] },
    Null: Object.fromEntries(CREDENTIAL_CONTEXT_KEYS.map((k) => [`kms:EncryptionContext:${k}`, 'false'])),
  };
}

describe('storage, keys and secrets', () => {
  it('makes the table from TABLE_SCHEMA: on-demand, PITR, TTL, stream, customer-managed key, retained', () => {
    const keyArn = new Capture();
    s.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.ttlAttribute, Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
        DeletionProtectionEnabled: true,
        GlobalSecondaryIndexes: TABLE_SCHEMA.globalSecondaryIndexes.map((index) =>
          Match.objectLike({ IndexName: index.indexName, Projection: { ProjectionType: 'ALL' } }),
        ),
      }),
    });
    const [keyId] = getAttTargets(keyArn.asObject());
    expect(s.model.resources[keyId!]?.Properties.EnableKeyRotation).toBe(true);
  });

  it('rotates the credential key and allows cryptography only with the full credential context', () => {
    const policy = new Capture();
    s.template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'UseOnlyWithCredentialContext',
            Action: Match.arrayWith(['kms:Decrypt', 'kms:GenerateDataKey']),
            Condition: credentialContextCondition(),
          }),
        ]),
      },
    });
    s.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: policy,
      Description: Match.stringLikeRegexp('credential'),
    });
    const crypto = /^kms:(\*|Encrypt|Decrypt|ReEncrypt|GenerateDataKey|CreateGrant)/;
    for (const st of (policy.asObject() as { Statement: Statement[] }).Statement) {
      const usesCrypto = actionsOf(st).some((a) => crypto.test(a));
      if (st.Effect === 'Allow' && usesCrypto)
        expect(st.Condition, st.Sid).toEqual(credentialContextCondition());
    }
    s.template.resourceCountIs('AWS::KMS::Alias', 1);
  });

  it('generates both secrets in Secrets Manager and outputs the admin key ARN, never a value', () => {
    for (const secret of [s.stack.secrets.adminApiKey, s.stack.secrets.apiKeyPepper]) {
      const props = s.model.resources[logicalId(secret)]?.Properties;
      expect(props?.GenerateSecretString).toBeDefined();
      expect(props?.SecretString).toBeUndefined();
    }
    s.template.hasOutput('AdminKeySecretArn', { Value: { Ref: logicalId(s.stack.secrets.adminApiKey) } });
    s.template.hasOutput('ApiUrl', { Value: Match.anyValue() });
    s.template.hasOutput('TableName', { Value: { Ref: logicalId(s.stack.table.table) } });
    expect(JSON.stringify(s.template.findOutputs('*'))).not.toMatch(/resolve:secretsmanager|SecretString/);
  });
});

describe('monitoring', () => {
  const metricsOf = (alarm: { Properties: Record<string, unknown> }) =>
    (alarm.Properties.Metrics as Array<{
      Expression?: string;
      MetricStat?: { Metric: Record<string, unknown> };
    }>) ?? [];
  const functionsIn = (prefix: string) => {
    const alarms = s.model.ofType('AWS::CloudWatch::Alarm').filter(([id]) => id.includes(prefix));
    for (const [, alarm] of alarms)
      expect(metricsOf(alarm).filter((m) => m.MetricStat).length).toBeLessThanOrEqual(10);
    return new Set(
      alarms.flatMap(([, a]) =>
        metricsOf(a).flatMap((m) =>
          ((m.MetricStat?.Metric.Dimensions as Array<{ Value: unknown }>) ?? []).map((d) => refOf(d.Value)),
        ),
      ),
    );
  };

  it('alarms on the API 5xx rate', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: Match.stringLikeRegexp('100 \\* errors / requests') }),
      ]),
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on errors of every route function and on throttles of every function, ten per alarm at most', () => {
    const routeFns = [...functionsOf(ROUTES).values()].map((e) => functionOfRoute(e.routes[0]!));
    const authorizer = logicalId(s.stack.authorizer.function);
    const errors = functionsIn('FunctionErrors');
    const throttles = functionsIn('FunctionThrottles');
    for (const fn of routeFns) {
      expect(errors.has(fn), fn).toBe(true);
      expect(throttles.has(fn), fn).toBe(true);
    }
    expect(errors.has(authorizer)).toBe(false);
    expect(throttles.has(authorizer)).toBe(true);
    s.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

describe('synthesis', () => {
  it('stays within CloudFormation’s 500 resources in the root and in every nested stack', () => {
    // The whole gateway is above 500 (about 6.6 resources per route); each template must not be.
    expect(s.templates.size).toBeGreaterThan(1);
    for (const [path, template] of s.templates) {
      expect(Object.keys((template.Resources ?? {}) as object).length, path).toBeLessThanOrEqual(500);
    }
  });

  it('leaves no CDK error or warning annotation', () => {
    expect(Annotations.fromStack(s.stack).findError('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(s.stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding', () => {
    expect(unacknowledgedFindings(s.app).map((f) => `${f.severity} ${f.rule} at ${f.path}`)).toEqual([]);
  });

  it('has no stale acknowledgement: each one matches a finding on or under the construct it is made on', () => {
    const findings = allFindings(s.app);
    const acks = acknowledgements(s.app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      const matched = findings.some(
        (f) => f.rule === ack.rule && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)),
      );
      expect(matched, `${ack.rule} at ${ack.path}`).toBe(true);
      expect(ack.reason.length, `${ack.rule} at ${ack.path} states why`).toBeGreaterThan(40);
    }
  });
});

/** The parts of a CloudFront DistributionConfig the console tests read. */
interface CacheBehavior {
  PathPattern?: string;
  TargetOriginId: string;
  AllowedMethods: string[];
  CachePolicyId: string;
  OriginRequestPolicyId?: string;
  ResponseHeadersPolicyId?: unknown;
  ViewerProtocolPolicy: string;
}
interface DistributionConfig {
  DefaultRootObject: string;
  DefaultCacheBehavior: CacheBehavior;
  CacheBehaviors: CacheBehavior[];
  Origins: Array<{ Id: string; DomainName: unknown; OriginPath?: unknown; CustomOriginConfig?: unknown }>;
}

describe('console: served by CloudFront, the API on the same origin', () => {
  const distribution = () => {
    const found = s.template.findResources('AWS::CloudFront::Distribution');
    expect(Object.keys(found)).toHaveLength(1);
    return Object.values(found)[0]!.Properties.DistributionConfig as DistributionConfig;
  };

  it('serves the built files from a private bucket that only the distribution reads (OAC)', () => {
    const bucketId = logicalId(s.stack.console!.bucket);
    s.template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    const policies = Object.values(s.template.findResources('AWS::S3::BucketPolicy')).filter(
      (p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId }),
    );
    const reads = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
      .filter((st) => st.Effect === 'Allow');
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
    });
    expect(JSON.stringify(reads[0]!.Condition)).toContain(logicalId(s.stack.console!.distribution));
    s.template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const config = distribution();
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
  });

  it('sends the console files with a strict CSP: scripts and connections to its own origin only', () => {
    const policy = Object.values(s.template.findResources('AWS::CloudFront::ResponseHeadersPolicy'))[0]!;
    const csp: string =
      policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy
        .ContentSecurityPolicy;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*(unsafe|\*|https?:)/);
    expect(distribution().DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({
      Ref: logicalIdOfType('AWS::CloudFront::ResponseHeadersPolicy'),
    });
  });

  it('forwards /api/*, /v1/* and /health to the REST API stage, uncached, with every header but Host', () => {
    const config = distribution();
    const behaviors = config.CacheBehaviors;
    expect(behaviors.map((b) => b.PathPattern).sort()).toEqual(['/api/*', '/health', '/v1/*']);
    const apiOrigin = config.Origins.find((o) => o.CustomOriginConfig)!;
    expect(JSON.stringify(apiOrigin.DomainName)).toContain(logicalId(s.stack.restApi.api));
    expect(JSON.stringify(apiOrigin.OriginPath)).toContain('prod');
    for (const behavior of behaviors) {
      expect(behavior.TargetOriginId).toBe(apiOrigin.Id);
      expect(behavior.AllowedMethods).toEqual(expect.arrayContaining(['POST', 'PATCH', 'DELETE', 'PUT']));
      // Managed policies: CachingDisabled, AllViewerExceptHostHeader.
      expect(behavior.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
      expect(behavior.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
      expect(behavior.ViewerProtocolPolicy).toBe('https-only');
    }
  });

  it("limits CDK's deploy-time copier to the console bucket, the CDK asset bucket and invalidations", () => {
    const copiers = s.model.ofType('AWS::Lambda::Function').filter(([id]) => COPIER.test(id));
    expect(copiers).toHaveLength(1);
    const bucketArn = JSON.stringify({ 'Fn::GetAtt': [logicalId(s.stack.console!.bucket), 'Arn'] });
    for (const st of statementsOf(copiers[0]![0])) {
      const actions = actionsOf(st);
      const where = JSON.stringify(resourcesOf(st));
      if (actions.every((a) => a.startsWith('cloudfront:'))) {
        expect(actions.sort()).toEqual(['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation']);
      } else if (actions.every((a) => a.startsWith('s3:'))) {
        expect(where.includes(bucketArn) || where.includes('cdk-hnb659fds-assets'), where).toBe(true);
      } else {
        expect(
          actions.every((a) => a.startsWith('xray:') || a.startsWith('logs:')),
          String(actions),
        ).toBe(true);
      }
    }
  });

  it('deploys a bundle without secrets: no key-shaped string or gateway setting in the built files', () => {
    const files = readdirSync(CONSOLE_DIST_DIR, { recursive: true, withFileTypes: true }).filter((f) =>
      f.isFile(),
    );
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) {
      const text = readFileSync(join(file.parentPath, file.name), 'utf8');
      expect(text, file.name).not.toMatch(
        /\bgk_[A-Za-z0-9_-]{43}\b|\bsk-(ant-)?[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16}/,
      );
      expect(text, file.name).not.toMatch(/ADMIN_API_KEY|API_KEY_PEPPER|TABLE_NAME/);
    }
  });

  it('names the console in a stack output', () => {
    const outputs = s.template.findOutputs('ConsoleUrl');
    expect(JSON.stringify(outputs.ConsoleUrl!.Value)).toContain(logicalId(s.stack.console!.distribution));
  });
});

function logicalIdOfType(type: string): string {
  const ids = Object.keys(s.template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}
