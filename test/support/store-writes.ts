/**
 * Records (and optionally refuses) every write the gateway's DynamoDB clients send, with the
 * partition keys it touches and who sent it: a stream consumer, or the handler (or run) in flight.
 * This is how the tests hold the IAM write grants true: what the code really writes is compared to
 * what each function is granted.
 */
import { type SentCommand, type StoreMock, serviceError } from './store.js';

/** The SDK commands that write items (document and low-level clients). */
const WRITE_COMMANDS = new Set([
  'PutCommand',
  'PutItemCommand',
  'UpdateCommand',
  'UpdateItemCommand',
  'DeleteCommand',
  'DeleteItemCommand',
  'BatchWriteCommand',
  'BatchWriteItemCommand',
  'TransactWriteCommand',
  'TransactWriteItemsCommand',
]);

/** The service module each stream consumer runs, for stacks that lost the handler's frame. */
const CONSUMER_SERVICES: Record<string, string> = {
  'lib/services/quotas/enforcer.ts': 'streams/quota-enforcer',
  'lib/audit/writer.ts': 'streams/audit-writer',
};

/**
 * Who sent a write: a stream consumer (by module), or else `handler`: the route handler serving the
 * request in flight, or the code the test calls directly (the scheduled health run).
 */
export type Writer = 'handler' | `consumer:${string}`;

export interface RecordedWrite {
  command: string;
  /** Every partition key the command writes. */
  partitions: string[];
  writer: Writer;
}

const text = (v: unknown) => (typeof v === 'string' ? v : (v as { S?: string } | undefined)?.S);

/** The partition keys a write command touches (a batch or transaction: each of its items). */
export function partitionsOf(command: SentCommand): string[] {
  type Part = { Item?: { pk?: unknown }; Key?: { pk?: unknown } } | undefined;
  const input = command.input as {
    RequestItems?: Record<string, Array<{ PutRequest?: Part; DeleteRequest?: Part }>>;
    TransactItems?: Array<{ Put?: Part; Update?: Part; Delete?: Part; ConditionCheck?: Part }>;
  } & NonNullable<Part>;
  const pkOf = (x: Part) => text((x?.Item ?? x?.Key)?.pk);
  const parts: Part[] = input.RequestItems
    ? Object.values(input.RequestItems)
        .flat()
        .map((r) => r.PutRequest ?? r.DeleteRequest)
    : input.TransactItems
      ? input.TransactItems.map((t) => t.Put ?? t.Update ?? t.Delete ?? t.ConditionCheck)
      : [input];
  return parts.map(pkOf).filter((pk): pk is string => pk !== undefined);
}

/** Who is writing, from the (async) stack of the `send` call: the local change stream invokes `functions/streams/<name>.ts`. */
function writerOf(stack: string): Writer {
  const consumer = /functions\/streams\/([\w-]+)\.ts/.exec(stack);
  if (consumer) return `consumer:streams/${consumer[1]}`;
  if (stack.includes('local/change-stream/')) {
    // V8's async stack can lose the handler's frame under Promise.all: name it by its service.
    const byService = Object.entries(CONSUMER_SERVICES).find(([module]) => stack.includes(module));
    return `consumer:${byService?.[1] ?? 'unknown'}`;
  }
  return 'handler';
}

/**
 * Watches every write sent through `store` (see `mockStore`): each is recorded; with `refuse`, each
 * is also rejected as IAM would reject a write the role may not make (`AccessDeniedException`).
 * Call `stop()` to let writes through unrecorded again.
 */
export function watchWrites(store: StoreMock, options: { refuse?: boolean } = {}) {
  const writes: RecordedWrite[] = [];
  let on = true;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 200;
  store.failWhen((command) => {
    if (!on || !WRITE_COMMANDS.has(command.constructor.name)) return false;
    const stack = new Error().stack ?? '';
    writes.push({
      command: command.constructor.name,
      partitions: partitionsOf(command),
      writer: writerOf(stack),
    });
    return options.refuse === true;
  }, serviceError('AccessDeniedException'));
  return {
    writes,
    /** Forgets what was recorded so far. */
    clear: () => {
      writes.length = 0;
    },
    stop: () => {
      on = false;
      Error.stackTraceLimit = limit;
    },
  };
}
