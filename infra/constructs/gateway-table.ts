import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TABLE_SCHEMA } from '../../lib/store/table-schema.js';
import type { GatewayFunction } from './gateway-function.js';

/** Item reads the store performs (`lib/store/table.ts`): no Scan, ever (`docs/architecture.md`). */
export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
/** Item writes the store performs: single-item conditional writes, plus batch writes. */
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;
/** One of {@link TABLE_WRITE_ACTIONS}. */
export type WriteAction = (typeof TABLE_WRITE_ACTIONS)[number];

/**
 * What a caller of DynamoDB needs on the table's customer-managed key (the actions CDK's
 * `grantReadData`/`grantWriteData` give, spelled out without wildcards), usable only through
 * DynamoDB in this region.
 */
const KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];
const KEY_WRITE_ACTIONS = [
  ...KEY_READ_ACTIONS,
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

const STREAM_VIEW: Record<(typeof TABLE_SCHEMA)['streamView'], dynamodb.StreamViewType> = {
  NEW_AND_OLD_IMAGES: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
};

/**
 * The single table, shaped by `TABLE_SCHEMA` (the same object the local runtime creates its table
 * from): on-demand, point-in-time recovery, TTL, a NEW_AND_OLD_IMAGES stream, encrypted with a
 * customer-managed key that rotates. Table and key are retained when the stack is deleted (the key
 * must outlive the table, or the retained data is unreadable) and the table has deletion protection.
 */
export class GatewayTable extends Construct {
  readonly table: dynamodb.Table;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the AI gateway table at rest',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const attr = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: attr(TABLE_SCHEMA.partitionKey),
      sortKey: attr(TABLE_SCHEMA.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_SCHEMA.ttlAttribute,
      stream: STREAM_VIEW[TABLE_SCHEMA.streamView],
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of TABLE_SCHEMA.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attr(index.partitionKey),
        sortKey: attr(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }

  /** The table and each index by name (no `index/*` wildcard). */
  private itemResources(): string[] {
    const indexes = TABLE_SCHEMA.globalSecondaryIndexes.map(
      (i) => `${this.table.tableArn}/index/${i.indexName}`,
    );
    return [this.table.tableArn, ...indexes];
  }

  private keyStatement(actions: string[]): iam.PolicyStatement {
    return new iam.PolicyStatement({
      actions,
      resources: [this.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Aws.REGION}.amazonaws.com` } },
    });
  }

  /** Item reads (Get, BatchGet, Query on the table and its indexes) and `TABLE_NAME`. */
  grantRead(fn: GatewayFunction): void {
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...TABLE_READ_ACTIONS], resources: this.itemResources() }),
    );
    fn.role.addToPrincipalPolicy(this.keyStatement(KEY_READ_ACTIONS));
    fn.addEnvironment('TABLE_NAME', this.table.tableName);
  }

  /**
   * `actions` on the table, only on items whose partition key starts with one of `prefixes` (IAM's
   * `dynamodb:LeadingKeys`, which holds the partition key of every item a request touches, a
   * `BatchWriteItem`'s included: each must match). `Null: false` makes a request that names no key
   * fail the condition instead of passing `ForAllValues` vacuously. Writes target the table, never
   * an index. The table key gets the write actions, usable only through DynamoDB (`kms:ViaService`):
   * they let DynamoDB serve no request beyond those allowed here. Given on top of {@link grantRead}.
   *
   * @throws Error when a prefix is empty or holds an IAM wildcard (`*`, `?`): it would widen the grant.
   */
  grantWriteItems(fn: GatewayFunction, prefixes: readonly string[], actions: readonly WriteAction[]): void {
    if (prefixes.length === 0 || prefixes.some((p) => p === '' || /[*?]/.test(p))) {
      throw new Error(
        `grantWriteItems needs literal, non-empty key prefixes, got ${JSON.stringify(prefixes)}`,
      );
    }
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...actions],
        resources: [this.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...prefixes].sort().map((p) => `${p}*`) },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      }),
    );
    fn.role.addToPrincipalPolicy(this.keyStatement(KEY_WRITE_ACTIONS));
  }

  /** `UpdateItem` on items under `prefixes` alone (the authorizer's `last_used_at` stamp). */
  grantUpdateItems(fn: GatewayFunction, prefixes: readonly string[]): void {
    this.grantWriteItems(fn, prefixes, ['dynamodb:UpdateItem']);
  }
}
