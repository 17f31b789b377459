import { Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { GatewayFunction } from './gateway-function.js';

/**
 * What `lib/adapters/bedrock` calls: Converse/ConverseStream authorize as the first two, embeddings
 * and images as the first; token counting is `bedrock:CountTokens` (free, and reads only the request).
 */
export const BEDROCK_INVOKE_ACTIONS = [
  'bedrock:InvokeModel',
  'bedrock:InvokeModelWithResponseStream',
  'bedrock:CountTokens',
];

/** The health probe's call (`lib/services/health/probes/bedrock.ts`); it has no resource type. */
export const BEDROCK_PROBE_ACTIONS = ['bedrock:ListAsyncInvokes'];

/**
 * What a model id may resolve to: foundation models (owned by no account) and this account's
 * system-defined (cross-region) and application inference profiles. Any region: a provider's
 * `metadata.region` chooses it, and a cross-region profile routes to models in other regions.
 */
export function bedrockModelResources(): string[] {
  const p = Aws.PARTITION;
  return [
    `arn:${p}:bedrock:*::foundation-model/*`,
    `arn:${p}:bedrock:*:${Aws.ACCOUNT_ID}:inference-profile/*`,
    `arn:${p}:bedrock:*:${Aws.ACCOUNT_ID}:application-inference-profile/*`,
  ];
}

const NAG_RESOURCES = [
  'Resource::arn:<AWS::Partition>:bedrock:*::foundation-model/*',
  'Resource::arn:<AWS::Partition>:bedrock:*:<AWS::AccountId>:inference-profile/*',
  'Resource::arn:<AWS::Partition>:bedrock:*:<AWS::AccountId>:application-inference-profile/*',
];

/**
 * Lets a function call Bedrock runtime with its role (`aws_iam` Bedrock credentials): invoke any
 * foundation model or this account's inference profiles, and the token-free probe. Which model a
 * caller may use is the gateway's routing and API-key policy, decided per request from the table;
 * model access itself is enabled per account in the Bedrock console.
 */
export function grantBedrock(fn: GatewayFunction): void {
  fn.role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: BEDROCK_INVOKE_ACTIONS, resources: bedrockModelResources() }),
  );
  fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: BEDROCK_PROBE_ACTIONS, resources: ['*'] }));
  Validations.of(fn.role).acknowledge(
    ...NAG_RESOURCES.map((resource) => ({
      id: `AwsSolutions-IAM5[${resource}]`,
      reason:
        'Models are configured at run time (providers and routing rules in the table), so they cannot be ' +
        'listed at deploy time; the wildcard admits only model and inference-profile ARNs, which the ' +
        'gateway selects per request under its own routing and API-key policy.',
    })),
  );
}
