/**
 * A domain event (quota crossings, incidents opened and resolved). In AWS it goes to EventBridge
 * with `source` `ai-gateway` and `detail-type` = `type`; locally to an in-process bus that also
 * logs it. Delivery is at least once in both: consumers must tolerate a repeat.
 */
export interface GatewayEvent {
  /** e.g. `quota.state_changed`, `incident.opened` */
  type: string;
  /** When it happened (ISO 8601); the publish time when absent. */
  at?: string | undefined;
  detail: Record<string, unknown>;
  /** ARNs or ids the event is about. */
  resources?: string[] | undefined;
}

/** Where events go. `publish` resolves once every event is accepted, and throws otherwise. */
export interface EventBus {
  publish(events: readonly GatewayEvent[]): Promise<void>;
}

/** The `source` of every event the gateway publishes to EventBridge. */
export const EVENT_SOURCE = 'ai-gateway';

/** The bus refused some events (EventBridge `FailedEntryCount` > 0). */
export class EventPublishError extends Error {
  override name = 'EventPublishError';
}
