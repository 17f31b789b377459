import type { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, type EventBus, EventPublishError, type GatewayEvent } from './types.js';

/** EventBridge takes at most 10 entries per PutEvents call. */
const MAX_ENTRIES = 10;

type Sdk = { client: EventBridgeClient; Put: typeof PutEventsCommand };

/**
 * An {@link EventBus} on EventBridge `PutEvents` (`source` {@link EVENT_SOURCE}, `detail-type` the
 * event's type). The SDK is loaded on first publish (most functions never publish) and the client
 * reused by the container; the SDK retries throttling itself (3 attempts).
 *
 * @throws EventPublishError when EventBridge reports failed entries; SDK errors are rethrown.
 */
export function eventBridgeBus(options: {
  busName: string;
  region: string;
  client?: EventBridgeClient;
}): EventBus {
  let sdk: Promise<Sdk> | undefined;
  const open = () => {
    sdk ??= import('@aws-sdk/client-eventbridge').then((m) => ({
      client: options.client ?? new m.EventBridgeClient({ region: options.region, maxAttempts: 3 }),
      Put: m.PutEventsCommand,
    }));
    return sdk;
  };
  return {
    async publish(events: readonly GatewayEvent[]) {
      const { client, Put } = await open();
      for (let i = 0; i < events.length; i += MAX_ENTRIES) {
        const entries = events.slice(i, i + MAX_ENTRIES).map((e) => ({
          EventBusName: options.busName,
          Source: EVENT_SOURCE,
          DetailType: e.type,
          Detail: JSON.stringify(e.detail),
          Resources: e.resources,
          Time: e.at ? new Date(e.at) : undefined,
        }));
        const out = await client.send(new Put({ Entries: entries }));
        if ((out.FailedEntryCount ?? 0) > 0) {
          const codes = (out.Entries ?? []).map((e) => e.ErrorCode).filter(Boolean);
          throw new EventPublishError(
            `EventBridge refused ${out.FailedEntryCount} event(s): ${codes.join(', ')}`,
          );
        }
      }
    },
  };
}
