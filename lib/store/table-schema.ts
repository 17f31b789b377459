/**
 * The single table's physical shape. The CDK stack and the local runtime both create the table
 * from this object, so the two can never drift. Attribute names are generic (`pk`, `sk`,
 * `gsi1pk`, ...); what each entity puts in them is decided by `keys.ts` alone.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes expired items eventually, reads filter them out at once. */
  ttlAttribute: 'ttl',
  streamView: 'NEW_AND_OLD_IMAGES',
  globalSecondaryIndexes: [
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    // Sparse: only request-log records carry gsi3–gsi5 keys (by provider, by model, by team).
    { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    { indexName: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
    { indexName: 'gsi5', partitionKey: 'gsi5pk', sortKey: 'gsi5sk' },
  ],
} as const;

export type IndexName = (typeof TABLE_SCHEMA.globalSecondaryIndexes)[number]['indexName'];

/** Every key attribute of the table and its indexes (all strings). */
export const KEY_ATTRIBUTES = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
  'gsi4pk',
  'gsi4sk',
  'gsi5pk',
  'gsi5sk',
] as const;
