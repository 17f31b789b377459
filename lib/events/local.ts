import { logger } from '../observability.js';
import type { EventBus, GatewayEvent } from './types.js';

/** Events kept for inspection (tests, a local UI). */
const HISTORY = 1_000;

/**
 * The local runtime's bus: each event is logged (`event published`, with its type and detail) and
 * handed to in-process listeners synchronously, in order; the last {@link HISTORY} are kept. A
 * listener that throws does not stop the others and does not fail the publish.
 */
export class LocalEventBus implements EventBus {
  private readonly listeners = new Set<(event: GatewayEvent) => void>();
  private readonly history: GatewayEvent[] = [];

  async publish(events: readonly GatewayEvent[]): Promise<void> {
    for (const event of events) {
      const stamped: GatewayEvent = { ...event, at: event.at ?? new Date().toISOString() };
      logger.info('event published', { type: stamped.type, detail: stamped.detail });
      this.history.push(stamped);
      if (this.history.length > HISTORY) this.history.shift();
      for (const listener of this.listeners) {
        try {
          listener(stamped);
        } catch (error) {
          logger.warn('event listener failed', { type: stamped.type, error: String(error) });
        }
      }
    }
  }

  /** Calls `listener` for every later event; returns the unsubscribe function. */
  subscribe(listener: (event: GatewayEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The events published so far (most recent last). */
  published(): readonly GatewayEvent[] {
    return this.history;
  }

  /** Same as {@link LocalEventBus.published}, as a property. */
  get events(): readonly GatewayEvent[] {
    return this.history;
  }
}
