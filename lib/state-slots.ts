/**
 * Per-instance state without module-level registries. A module declares a {@link StateSlot} (an
 * immutable descriptor: how to create its state and how to close it); the instance that owns the
 * state (the gateway instance, the provider view) keeps a {@link SlotStore} and hands each slot its
 * own value, created on first use. Closing the store closes every value, newest first, so state
 * that holds work (group-committed writes) finishes before the clients it writes with are closed.
 */

/** A kind of per-instance state, typed by its owner `O` and its value `T`. */
export interface StateSlot<O, T> {
  readonly name: string;
  create(owner: O): T;
  close?(value: T): Promise<void> | void;
}

/** Declares a {@link StateSlot}: a module-level constant holding no state itself. */
export function stateSlot<O, T>(
  name: string,
  create: (owner: O) => T,
  close?: (value: T) => Promise<void> | void,
): StateSlot<O, T> {
  return close ? { name, create, close } : { name, create };
}

/** The values of the slots one instance has used. */
export class SlotStore<O> {
  readonly #values = new Map<StateSlot<O, unknown>, unknown>();

  constructor(private readonly owner: O) {}

  /** The owner's value of `slot`, created on first use. */
  get<T>(slot: StateSlot<O, T>): T {
    if (!this.#values.has(slot)) this.#values.set(slot, slot.create(this.owner));
    return this.#values.get(slot) as T;
  }

  /** Closes every value, newest first, and forgets them. */
  async close(): Promise<void> {
    const entries = [...this.#values].reverse();
    this.#values.clear();
    for (const [slot, value] of entries) await slot.close?.(value);
  }
}
