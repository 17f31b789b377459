import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { GatewayFunction } from './gateway-function.js';

/**
 * The encryption-context keys every credential data key is bound to (`EncryptionContext` of
 * `lib/crypto/key-provider.ts`). KMS refuses any use of the key whose context lacks one of them
 * or carries another.
 */
export const CREDENTIAL_CONTEXT_KEYS = ['provider_id', 'credential_id', 'version', 'purpose'] as const;

/** The envelope operations of `KmsKeyProvider`: new data keys, unwrap, re-wrap under another key. */
export const ENVELOPE_ACTIONS = [
  'kms:GenerateDataKey',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

/**
 * Everything a key administrator may do, which is everything but cryptography and grants: a grant
 * could hand out Decrypt without the context condition, so CreateGrant is deliberately absent.
 */
const ADMIN_ACTIONS = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:PutKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:RotateKeyOnDemand',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:UpdateKeyDescription',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:ListGrants',
  'kms:RevokeGrant',
  'kms:RetireGrant',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
];

/**
 * The context condition: every required key present (`Null` = false) and no other key
 * (`ForAllValues`, which the `Null` checks also keep from matching an empty context).
 */
export function credentialContextCondition(): Record<string, Record<string, unknown>> {
  return {
    'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': [...CREDENTIAL_CONTEXT_KEYS] },
    Null: Object.fromEntries(CREDENTIAL_CONTEXT_KEYS.map((k) => [`kms:EncryptionContext:${k}`, 'false'])),
  };
}

/**
 * The master key of credential envelopes. Its key policy is the guarantee: the account (and so any
 * IAM principal the account allows) can use it for GenerateDataKey, Decrypt and ReEncrypt only with
 * a credential encryption context, so a wrapped key moved onto another record cannot be unwrapped by
 * anyone, whatever IAM says. Rotates yearly; retained with the table whose ciphertexts need it.
 */
export class CredentialKey extends Construct {
  readonly key: kms.Key;
  readonly alias: kms.Alias;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const account = new iam.AccountRootPrincipal();
    const policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'KeyAdministration',
          principals: [account],
          actions: ADMIN_ACTIONS,
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'UseOnlyWithCredentialContext',
          principals: [account],
          actions: ENVELOPE_ACTIONS,
          resources: ['*'],
          conditions: credentialContextCondition(),
        }),
      ],
    });
    this.key = new kms.Key(this, 'Key', {
      description: 'Wraps the data keys of AI gateway provider credentials (encryption context required)',
      enableKeyRotation: true,
      policy,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.alias = this.key.addAlias(`alias/${Stack.of(this).stackName}/credentials`);
  }

  private grant(fn: GatewayFunction, actions: string[]): void {
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions,
        resources: [this.key.keyArn],
        conditions: credentialContextCondition(),
      }),
    );
    // The key ARN, not the alias: `KmsKeyProvider` refuses aliases (a re-pointed alias would
    // orphan every record wrapped before).
    fn.addEnvironment('CREDENTIAL_KEY_ID', this.key.keyArn);
  }

  /** Create, unwrap and re-wrap credential data keys (credential writes and master-key rotation). */
  grantEnvelope(fn: GatewayFunction): void {
    this.grant(fn, ENVELOPE_ACTIONS);
  }

  /** Unwrap credential data keys only (the AI functions that call upstream providers). */
  grantDecrypt(fn: GatewayFunction): void {
    this.grant(fn, ['kms:Decrypt']);
  }
}
