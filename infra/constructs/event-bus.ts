import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import type { GatewayFunction } from './gateway-function.js';

/**
 * The gateway's own EventBridge bus for quota and incident events (`lib/events`, source
 * `ai-gateway`). A custom bus costs nothing at idle; rules that route its events (to email, chat,
 * a ticketing system) are the operator's to add.
 */
export class GatewayEventBus extends Construct {
  readonly bus: events.EventBus;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      description: 'AI gateway: quota and incident events',
    });
  }

  /** `events:PutEvents` on this bus only, and `EVENT_BUS_NAME`. */
  grantPublish(fn: GatewayFunction): void {
    this.bus.grantPutEventsTo(fn.role);
    fn.addEnvironment('EVENT_BUS_NAME', this.bus.eventBusName);
  }
}
