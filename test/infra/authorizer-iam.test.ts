import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_READ_ACTIONS } from '../../infra/constructs/gateway-table.js';
import { touchLastUsed } from '../../lib/auth/stored-key.js';
import type { Gateway } from '../../lib/runtime/gateway.js';
import { SlotStore, type StateSlot } from '../../lib/state-slots.js';
import { createStoreClients } from '../../lib/store/client.js';
import { keys } from '../../lib/store/keys.js';
import { Table } from '../../lib/store/table.js';
import { keyOf, type SentCommand } from '../support/store.js';
import { type Synthesized, synthGateway } from './synth.js';
import { actionsOf, getAttTargets, refOf, resourcesOf, type Statement } from './template-model.js';

let s: Synthesized;
const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  s.stack.getLogicalId(construct.node.defaultChild as CfnElement);

beforeAll(() => {
  s = synthGateway();
}, 300_000);

/** The `dynamodb:LeadingKeys` patterns the authorizer's write is limited to. */
const LEADING_KEYS = [`${keys.apiKeyRecordPrefix()}*`];

/** Whether `value` matches an IAM `StringLike` pattern (`*` any run of characters, `?` one). */
function stringLike(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(value);
}

describe('IAM: the authorizer reads, and writes only the last use of API key records', () => {
  let roleId: string;
  let statements: Statement[];
  beforeAll(() => {
    roleId = s.model.roleOfFunction(logicalId(s.stack.authorizer.function));
    statements = s.model.statementsOfRole(roleId);
  });

  it('allows exactly the actions it uses: no Put, Delete or BatchWrite, nothing beyond', () => {
    expect(statements.every((st) => st.Effect === 'Allow')).toBe(true);
    expect([...new Set(statements.flatMap(actionsOf))].sort()).toEqual(
      [
        ...TABLE_READ_ACTIONS,
        'dynamodb:UpdateItem',
        // The table key, only through DynamoDB (checked below): what every writer of the table has.
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        'kms:GenerateDataKeyWithoutPlaintext',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
  });

  it('reads items of the table and its indexes, with no condition', () => {
    const tableId = logicalId(s.stack.table.table);
    const reads = statements.filter((st) => actionsOf(st).some((a) => a.startsWith('dynamodb:Get')));
    expect(reads).toHaveLength(1);
    const [read] = reads as [Statement];
    expect(actionsOf(read).sort()).toEqual([...TABLE_READ_ACTIONS].sort());
    expect(read.Condition).toBeUndefined();
    expect(getAttTargets(read.Resource).every((id) => id === tableId)).toBe(true);
  });

  it('may UpdateItem only on the table, only where every leading key is an API key record', () => {
    const tableId = logicalId(s.stack.table.table);
    const dynamoWrites = statements.filter((st) =>
      actionsOf(st).some((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a)),
    );
    expect(dynamoWrites).toHaveLength(1);
    const [update] = dynamoWrites as [Statement];
    expect(actionsOf(update)).toEqual(['dynamodb:UpdateItem']);
    expect(resourcesOf(update)).toEqual([{ 'Fn::GetAtt': [tableId, 'Arn'] }]);
    expect(update.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': LEADING_KEYS },
      Null: { 'dynamodb:LeadingKeys': 'false' },
    });
    s.template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: Match.arrayWith([{ Ref: roleId }]),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectEquals({
            Effect: 'Allow',
            Action: 'dynamodb:UpdateItem',
            Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
            Condition: {
              'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': LEADING_KEYS },
              Null: { 'dynamodb:LeadingKeys': 'false' },
            },
          }),
        ]),
      },
    });
  });

  it('uses the table key only through DynamoDB, and reads only the admin key and pepper secrets', () => {
    const keyStatements = statements.filter((st) => actionsOf(st).some((a) => a.startsWith('kms:')));
    expect(keyStatements.length).toBeGreaterThan(0);
    for (const st of keyStatements) {
      expect(getAttTargets(st.Resource)).toEqual([logicalId(s.stack.table.key)]);
      expect(st.Condition).toEqual({
        StringEquals: {
          'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
        },
      });
    }
    const secrets = statements
      .filter((st) => actionsOf(st).some((a) => a.startsWith('secretsmanager:')))
      .flatMap(resourcesOf)
      .map(refOf)
      .sort();
    expect(secrets).toEqual(
      [logicalId(s.stack.secrets.adminApiKey), logicalId(s.stack.secrets.apiKeyPepper)].sort(),
    );
  });

  it('covers the item its last-use write updates, and not the secret item it reads', async () => {
    // The authorizer's real table code, its SDK clients mocked: which keys does it write?
    const low = mockClient(DynamoDBClient);
    const document = mockClient(DynamoDBDocumentClient);
    low.onAnyCommand().resolves({});
    document.onAnyCommand().resolves({});
    const clients = [low, document] as const;
    const table = new Table(
      createStoreClients({ AWS_REGION: 'eu-west-1', DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' }),
      'gateway',
    );
    const state = new SlotStore<Gateway>({} as Gateway);
    const deps = { table, state: (slot: StateSlot<Gateway, unknown>) => state.get(slot) } as Pick<
      Gateway,
      'table' | 'state'
    >;
    try {
      await touchLastUsed(deps, 'key_iamcheck', Date.parse('2026-12-06T00:00:00Z'));
    } finally {
      table.close();
      for (const mock of clients) mock.restore();
    }
    const written = clients.flatMap((mock) => mock.calls().map((call) => keyOf(call.args[0] as SentCommand)));

    expect(written).toEqual([keys.apiKeyRecord('key_iamcheck')]);
    const pk = String(written[0]?.pk);
    expect(LEADING_KEYS.some((pattern) => stringLike(pattern, pk))).toBe(true);
    const secretPk = keys.apiKeyByHash('0'.repeat(64)).pk;
    expect(LEADING_KEYS.some((pattern) => stringLike(pattern, secretPk))).toBe(false);
  });
});
