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
   * `UpdateItem` on the table, only on items whose partition key starts with one of `prefixes`
   * (IAM's `dynamodb:LeadingKeys`, every key of the request matching): for a function whose one
   * write stamps a field on items of one kind. Given on top of {@link grantRead}. The table key gets
   * the same actions as for every other writer of the table: usable only through DynamoDB
   * (`kms:ViaService`), they let DynamoDB serve no request beyond the `UpdateItem` allowed here.
   *
   * @throws Error when a prefix is empty or holds an IAM wildcard (`*`, `?`): it would widen the grant.
   */
  grantUpdateItems(fn: GatewayFunction, prefixes: readonly string[]): void {
    if (prefixes.length === 0 || prefixes.some((p) => p === '' || /[*?]/.test(p))) {
      throw new Error(
        `grantUpdateItems needs literal, non-empty key prefixes, got ${JSON.stringify(prefixes)}`,
      );
    }
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [this.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes.map((p) => `${p}*`) },
        },
      }),
    );
    fn.role.addToPrincipalPolicy(this.keyStatement(KEY_WRITE_ACTIONS));
  }

  /** Item reads and writes (Put, Update, Delete, BatchWrite) and `TABLE_NAME`. */
  grantReadWrite(fn: GatewayFunction): void {
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS],
        resources: this.itemResources(),
      }),
    );
    fn.role.addToPrincipalPolicy(this.keyStatement(KEY_WRITE_ACTIONS));
    fn.addEnvironment('TABLE_NAME', this.table.tableName);
  }
}
