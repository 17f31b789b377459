import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { pathParameters } from '../../lib/routes/path-template.js';
import { type Route, routeKey } from '../../lib/routes.js';
import { addGatewayResponses } from './gateway-responses.js';

/** Media types API Gateway passes as binary: audio out, uploads and raw bytes in. */
export const BINARY_MEDIA_TYPES = ['audio/*', 'application/octet-stream', 'multipart/form-data'] as const;

/** Stage-wide throttling: steady requests per second and the burst bucket. */
export interface ThrottleSettings {
  rateLimit: number;
  burstLimit: number;
}

export interface GatewayRestApiProps {
  routes: readonly Route[];
  /** The function serving a route (the stack makes one per handler module). */
  handlerFor: (route: Route) => lambda.IFunction;
  /** The REQUEST authorizer's function (`functions/auth/authorizer.ts`). */
  authorizerHandler: lambda.IFunction;
  throttle: ThrottleSettings;
  /** Integration timeout of streaming routes (API Gateway allows up to 15 minutes for STREAM). */
  streamingTimeout: Duration;
  accessLogRetention: logs.RetentionDays;
  stageName: string;
  /**
   * Whether this stack sets the region's API Gateway CloudWatch role (`AWS::ApiGateway::Account`),
   * without which no REST API in the account can log to CloudWatch, access logs included. It is a
   * per-region singleton: turn this off where the account already manages it.
   */
  manageAccountLoggingRole: boolean;
  /**
   * Where a route's method and its invoke permission are built: the nested stack of the route's
   * area, which also holds its function. Default: this construct.
   */
  methodScope?: (route: Route) => Construct;
  /**
   * Where the API Gateway resource at a path is built: a nested stack when the routes at and under
   * the path all live in it, `undefined` (this construct) for prefixes areas share.
   */
  resourceScope?: (path: string) => Construct | undefined;
}

/** A path as it appears in an execute-api ARN: every `{param}` (greedy or not) becomes `*`. */
const pathForArn = (path: string) => path.replace(/\{[^}]*\}/g, '*');

/** `/api/providers/{id}` → `ApiProvidersId`: a construct id for a resource built outside the tree. */
const resourceIdOf = (path: string) =>
  `Path${path
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('')}${path.endsWith('+}') ? 'Greedy' : ''}`;

/**
 * Access log fields, one JSON object per request. Headers are never logged (they carry API keys);
 * the authorizer's principal id is the key id, not the key.
 */
function accessLogFormat(): apigateway.AccessLogFormat {
  const f = apigateway.AccessLogField;
  return apigateway.AccessLogFormat.custom(
    JSON.stringify({
      requestId: f.contextRequestId(),
      extendedRequestId: f.contextExtendedRequestId(),
      requestTime: f.contextRequestTime(),
      ip: f.contextIdentitySourceIp(),
      userAgent: f.contextIdentityUserAgent(),
      httpMethod: f.contextHttpMethod(),
      resourcePath: f.contextResourcePath(),
      path: f.contextPath(),
      protocol: f.contextProtocol(),
      status: f.contextStatus(),
      responseLength: f.contextResponseLength(),
      responseLatency: f.contextResponseLatency(),
      integrationLatency: f.contextIntegrationLatency(),
      integrationStatus: f.contextIntegrationStatus(),
      integrationError: '$context.integration.error',
      principalId: f.contextAuthorizerPrincipalId(),
      authorizerError: '$context.authorizer.error',
      authorizerLatency: '$context.authorizer.latency',
      errorType: f.contextErrorResponseType(),
      errorMessage: f.contextErrorMessage(),
      xrayTraceId: f.contextXrayTraceId(),
    }),
  );
}

/**
 * The REST API, built from the route table: one resource per path segment (shared prefixes are
 * shared resources, `{x+}` is a greedy segment), one Lambda proxy integration per route, STREAM
 * transfer mode for streaming routes, the Lambda REQUEST authorizer on every route whose access is
 * not `public`. Regional (an edge-optimized API would cut idle streams after 30 s, a regional one
 * after 5 minutes), no CORS; X-Ray, throttling, JSON access logs and error-level execution logs on
 * the stage; API Gateway's own errors in the gateway's envelope.
 */
export class GatewayRestApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly accessLogs: logs.LogGroup;
  readonly authorizer: apigateway.RequestAuthorizer;
  private readonly resources = new Map<string, apigateway.IResource>();

  constructor(scope: Construct, id: string, props: GatewayRestApiProps) {
    super(scope, id);
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.accessLogRetention });
    // `RestApi`, not the first layout's `Api`: a new logical id, so that a stack deployed before the
    // nested-stack layout upgrades in one deploy. Its methods and resources move into nested stacks
    // under new logical ids, which on the old API would collide with the old ones at the same
    // paths (CloudFormation removes those only after creating the new). The URL changes once.
    this.api = new apigateway.RestApi(this, 'RestApi', {
      description: 'AI provider gateway',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // Bodies of these types reach the handler base64-encoded (`isBase64Encoded`), and responses
      // the handler marks base64 (the speech route's audio) are decoded to bytes for the client.
      binaryMediaTypes: [...BINARY_MEDIA_TYPES],
      disableExecuteApiEndpoint: false,
      cloudWatchRole: props.manageAccountLoggingRole,
      // Retained: other APIs in the region may log through the same account setting.
      ...(props.manageAccountLoggingRole ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : {}),
      deployOptions: {
        stageName: props.stageName,
        tracingEnabled: true,
        // Execution logs for errors only (authorizer and integration failures), never bodies.
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: accessLogFormat(),
      },
    });
    addGatewayResponses(this.api);

    // Caching is off (TTL 0) because the key arrives in either of two headers: OpenAI SDKs send
    // `Authorization: Bearer`, Anthropic SDKs send `x-api-key`. With caching on, every identity
    // source is mandatory and a request missing one is refused before the authorizer runs, so no
    // source list can say "either header". Without caching the identity source is optional and
    // omitted; the authorizer caches key lookups in its own memory instead.
    this.authorizer = new apigateway.RequestAuthorizer(this, 'Authorizer', {
      handler: props.authorizerHandler,
      identitySources: [],
      resultsCacheTtl: Duration.seconds(0),
    });
    (this.authorizer.node.defaultChild as apigateway.CfnAuthorizer).addPropertyDeletionOverride(
      'IdentitySource',
    );

    // Bodies are validated (and their size limited per route) in code, identically in AWS and in
    // the local runtime; API Gateway validates the required path parameters each method declares
    // and refuses bodies over its hard 10 MB limit (Lambda itself takes at most 6 MB per
    // synchronous invocation). No body models are attached on purpose: a model would answer
    // malformed JSON with API Gateway's error instead of the handler's.
    const validator = this.api.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    this.resources.set('/', this.api.root);
    for (const route of props.routes) this.addRoute(route, props, validator);

    const loggingRole = this.api.node.tryFindChild('CloudWatchRole');
    if (loggingRole) {
      Validations.of(loggingRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The AWS-managed policy documented for exactly this role (API Gateway writing its own access and ' +
          'execution logs); the role can be assumed only by apigateway.amazonaws.com.',
      });
    }

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'No WAF web ACL by default: it costs at least $5 a month plus $1 per rule at idle, and the API ' +
        'is authenticated per request and throttled per stage. Attach one to the stage where required.',
    });
  }

  /**
   * The resource at `path`, built segment by segment where `resourceScope` puts each: in this
   * construct's tree (`addResource`, as `resourceForPath` would) for shared prefixes and under a
   * parent of the same nested stack, otherwise as a new resource in the owning nested stack.
   */
  private resourceAt(path: string, props: GatewayRestApiProps): apigateway.IResource {
    const existing = this.resources.get(path);
    if (existing) return existing;
    const cut = path.lastIndexOf('/');
    const parentPath = cut === 0 ? '/' : path.slice(0, cut);
    const parent = this.resourceAt(parentPath, props);
    const pathPart = path.slice(cut + 1);
    const scope = props.resourceScope?.(path);
    const parentScope = parentPath === '/' ? undefined : props.resourceScope?.(parentPath);
    const resource =
      scope === parentScope
        ? parent.addResource(pathPart)
        : new apigateway.Resource(scope ?? this, resourceIdOf(path), { parent, pathPart });
    this.resources.set(path, resource);
    return resource;
  }

  /**
   * One route: a Lambda proxy integration and its method, in the route's area. The invoke
   * permission is the one `LambdaIntegration` would add, scoped to this method, except that it
   * names the stage by name: a reference to the stage would make every nested stack wait for the
   * deployment, which itself waits for their methods.
   */
  private addRoute(route: Route, props: GatewayRestApiProps, validator: apigateway.RequestValidator): void {
    const resource = this.resourceAt(route.path, props);
    const handler = props.handlerFor(route);
    const integration = new apigateway.AwsIntegration({
      proxy: true,
      service: 'lambda',
      // The invoke paths `LambdaIntegration` uses: response streaming has its own API version.
      path: route.streams
        ? `2021-11-15/functions/${handler.functionArn}/response-streaming-invocations`
        : `2015-03-31/functions/${handler.functionArn}/invocations`,
      options: route.streams
        ? { responseTransferMode: apigateway.ResponseTransferMode.STREAM, timeout: props.streamingTimeout }
        : {},
    });
    const requestParameters = Object.fromEntries(
      pathParameters(route.path).map((name) => [`method.request.path.${name}`, true]),
    );
    const method = new apigateway.Method(
      props.methodScope?.(route) ?? this,
      `${route.method}${resource.path}`.replace(/\//g, '.'),
      {
        resource,
        httpMethod: route.method,
        integration,
        options: {
          requestParameters,
          requestValidator: validator,
          ...(route.access === 'public'
            ? { authorizationType: apigateway.AuthorizationType.NONE }
            : { authorizationType: apigateway.AuthorizationType.CUSTOM, authorizer: this.authorizer }),
        },
      },
    );
    handler.addPermission('ApiPermission', {
      principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      scope: method,
      sourceArn: this.api.arnForExecuteApi(route.method, pathForArn(route.path), props.stageName),
    });
    // Acknowledged per method: the methods live in the areas' nested stacks, outside this subtree.
    Validations.of(method).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'Callers are applications with API keys (OpenAI/Anthropic SDKs), not Cognito users; every ' +
        'non-public method uses the Lambda REQUEST authorizer.',
    });
    if (route.access === 'public') {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: `${routeKey(route)} is a public route by the route table (an unauthenticated probe).`,
      });
    }
  }
}
