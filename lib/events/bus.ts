import type { Config } from '../config.js';
import { describeError, logger } from '../observability.js';
import { eventBridgeBus } from './eventbridge.js';
import { LocalEventBus } from './local.js';
import type { EventBus, GatewayEvent } from './types.js';

export { LocalEventBus, LocalEventBus as MemoryEventBus } from './local.js';
export { EVENT_SOURCE, type EventBus, EventPublishError, type GatewayEvent } from './types.js';

/**
 * The bus of a runtime: EventBridge on `EVENT_BUS_NAME` in AWS; locally, or with no bus named, the
 * in-process {@link LocalEventBus} (events are logged and kept in memory).
 */
export function createEventBus(config: Config): EventBus {
  if (config.GATEWAY_RUNTIME === 'local' || !config.EVENT_BUS_NAME) return new LocalEventBus();
  return eventBridgeBus({ busName: config.EVENT_BUS_NAME, region: config.AWS_REGION });
}

/**
 * Publishes one event where the stored item is the record and the event a courtesy: a failure is
 * logged (`event not published`), never thrown. Use `bus.publish` where a lost event must be retried.
 */
export async function publishQuietly(bus: EventBus, event: GatewayEvent): Promise<void> {
  try {
    await bus.publish([event]);
  } catch (error) {
    logger.warn('event not published', { type: event.type, error: describeError(error) });
  }
}
