import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { CONSOLE_CSP } from '../../lib/console/security-headers.js';

/** Paths CloudFront sends to the REST API; everything else is the console's files. */
export const API_PATH_PATTERNS = ['/api/*', '/v1/*', '/health'] as const;

export interface ConsoleProps {
  /** The REST API the console talks to (and the distribution forwards `/api/*`, `/v1/*` to). */
  api: apigateway.RestApi;
  /** The built console (`dashboard/dist`, made by `npm ci` or `npm run dashboard:build`). */
  distDir: string;
  /** Retention of the deploy-time copier's log. */
  logRetention: logs.RetentionDays;
}

/**
 * The operator console in AWS: its built files in a private bucket that only this distribution
 * reads (origin access control), and one CloudFront distribution that serves them at `/` and
 * forwards `/api/*`, `/v1/*` and `/health` to the REST API's stage uncached, so the page and the
 * API share one origin (the page calls `/api/...`, as it does locally). Console files carry the
 * same CSP as the local runtime's (`lib/console/security-headers.ts`).
 *
 * @throws when `distDir` holds no `index.html`: a stack without its console should not deploy.
 */
export class GatewayConsole extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** The role of CDK's deploy-time copier (BucketDeployment). */
  readonly copierRole: iam.Role;

  constructor(scope: Construct, id: string, props: ConsoleProps) {
    super(scope, id);
    if (!existsSync(join(props.distDir, 'index.html'))) {
      throw new Error(
        `The console is not built (${props.distDir}): run npm run dashboard:build, then synth again`,
      );
    }
    this.bucket = new s3.Bucket(this, 'Files', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Build output, re-deployed by every `cdk deploy`: nothing in it needs keeping.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'AI gateway console: strict CSP, no framing, no sniffing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: CONSOLE_CSP, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
    });
    const apiOrigin = new origins.RestApiOrigin(props.api, { readTimeout: Duration.seconds(60) });
    const apiBehavior: cloudfront.BehaviorOptions = {
      origin: apiOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      // Never cached; every viewer header but Host (API Gateway routes on its own host) reaches
      // the API, Authorization and x-api-key included (allowed with caching disabled).
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      compress: false,
    };
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'AI gateway: operator console, and the API on the same origin',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
      },
      additionalBehaviors: Object.fromEntries(API_PATH_PATTERNS.map((pattern) => [pattern, apiBehavior])),
    });

    // CDK's copier gets a role of our own: no AWS managed policy, its log group only.
    const copierLog = new logs.LogGroup(this, 'CopierLog', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const copierRole = new iam.Role(this, 'CopierRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the console build into its bucket during deploy',
    });
    copierRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [copierLog.logGroupArn],
      }),
    );
    this.copierRole = copierRole;
    new s3deploy.BucketDeployment(this, 'Deploy', {
      role: copierRole,
      logGroup: copierLog,
      sources: [s3deploy.Source.asset(props.distDir)],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/index.html'],
      // Old hashed assets stay a while for pages still open; index.html names the current ones.
      prune: false,
      memoryLimit: 256,
    });
    this.acknowledgeFindings();
  }

  /** cdk-nag findings this design accepts, each with its reason. */
  private acknowledgeFindings(): void {
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Holds the public build output of the console (no data, no secrets); only the distribution reads it, ' +
        'and every API call the console makes is in the REST API access log.',
    });
    const distributionWhy: Record<string, string> = {
      'AwsSolutions-CFR1':
        'Operators work from anywhere; the API behind it authenticates every call with a key.',
      'AwsSolutions-CFR2':
        'No WAF by default (a cost the operator chooses); the REST API stage throttles and every API path needs a key.',
      'AwsSolutions-CFR3':
        'The console files are static build output; the requests that matter reach the REST API, whose access log records them.',
      'AwsSolutions-CFR4':
        'Uses the default *.cloudfront.net certificate (no custom domain in this stack), which cannot pin TLS 1.2; add a domain and certificate to enforce it.',
    };
    for (const [id, reason] of Object.entries(distributionWhy)) {
      Validations.of(this.distribution).acknowledge({ id, reason });
    }
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement);
    const copierWhy =
      'CDK BucketDeployment copier: runs only during deploy, copying the console build from the CDK asset bucket into ' +
      'its own bucket and invalidating index.html; these are the grants CDK gives it.';
    for (const id of [
      'AwsSolutions-IAM5[Action::s3:Abort*]',
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
      'AwsSolutions-IAM5[Action::s3:GetBucket*]',
      'AwsSolutions-IAM5[Action::s3:GetObject*]',
      'AwsSolutions-IAM5[Action::s3:List*]',
      'AwsSolutions-IAM5[Resource::*]',
      `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
    ]) {
      Validations.of(this.copierRole).acknowledge({ id, reason: copierWhy });
    }
    // The copier function itself is a stack-wide singleton CDK builds beside this construct.
    const copier = Stack.of(this).node.children.find((child) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    if (copier) {
      Validations.of(copier).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          'CDK pins the BucketDeployment copier runtime (Python, run only during deploy); it is not ours to choose.',
      });
    }
  }
}
