import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
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
}

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

  constructor(scope: Construct, id: string, props: GatewayRestApiProps) {
    super(scope, id);
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.accessLogRetention });
    this.api = new apigateway.RestApi(this, 'Api', {
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

    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'No WAF web ACL by default: it costs at least $5 a month plus $1 per rule at idle, and the API ' +
          'is authenticated per request and throttled per stage. Attach one to the stage where required.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'Callers are applications with API keys (OpenAI/Anthropic SDKs), not Cognito users; every ' +
          'non-public method uses the Lambda REQUEST authorizer.',
      },
    );
  }

  private addRoute(route: Route, props: GatewayRestApiProps, validator: apigateway.RequestValidator): void {
    const resource = this.api.root.resourceForPath(route.path);
    const integration = new apigateway.LambdaIntegration(props.handlerFor(route), {
      proxy: true,
      allowTestInvoke: false,
      ...(route.streams
        ? { responseTransferMode: apigateway.ResponseTransferMode.STREAM, timeout: props.streamingTimeout }
        : {}),
    });
    const requestParameters = Object.fromEntries(
      pathParameters(route.path).map((name) => [`method.request.path.${name}`, true]),
    );
    const method = resource.addMethod(route.method, integration, {
      requestParameters,
      requestValidator: validator,
      ...(route.access === 'public'
        ? { authorizationType: apigateway.AuthorizationType.NONE }
        : { authorizationType: apigateway.AuthorizationType.CUSTOM, authorizer: this.authorizer }),
    });
    if (route.access === 'public') {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: `${routeKey(route)} is a public route by the route table (an unauthenticated probe).`,
      });
    }
  }
}
