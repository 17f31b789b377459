/**
 * The Lambda container's gateway instance: the one place that builds an instance from the
 * environment, on the first invocation. Handlers are built per instance ({@link bindToContainer}):
 * Lambda calls `handler`, which uses the container's instance; the local runtime and tests call
 * `handler.forGateway(instance)` with their own.
 */
import { loadConfig } from '../config.js';
import { createGateway, type Gateway } from './gateway.js';

let container: Gateway | undefined;

/** The container's instance, built from `process.env` on first use. */
export function containerGateway(): Gateway {
  container ??= createGateway(loadConfig(process.env));
  return container;
}

/** A handler bound to the container's instance, that can also be built for another instance. */
export type GatewayHandler<H> = H & {
  /** The same handler over `deps` (the local runtime's or a test's instance). */
  forGateway(deps: Gateway): H;
};

/**
 * Turns a handler factory into a Lambda handler: the factory runs once, on the first invocation,
 * with the container's instance. `forGateway` builds it over any other instance.
 */
export function bindToContainer<H extends (...args: never[]) => unknown>(
  make: (deps: Gateway) => H,
  decorate: (handler: H) => H = (h) => h,
): GatewayHandler<H> {
  let own: H | undefined;
  const handler = decorate(((...args: Parameters<H>) => {
    own ??= make(containerGateway());
    return own(...args);
  }) as H) as GatewayHandler<H>;
  handler.forGateway = make;
  return handler;
}
