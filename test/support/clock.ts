/** The clock tests move: what a gateway instance (`deps.now`) and the failover executor read. */

/** The default first instant: a fixed minute boundary plus 10 s (26 Nov 2026, 12:00:10 UTC). */
export const CLOCK_START = Date.UTC(2026, 10, 26, 12, 0, 10);

/**
 * A clock a test sets and advances by hand. A manual clock stands still between moves, so figures
 * measured on it (latencies, windows) do not depend on how busy the machine is; a `ticking` one
 * also runs with real time between moves, so caches and deadlines age as in production.
 */
export class TestClock {
  private readonly ticking: boolean;
  /** Manual: the instant (epoch ms). Ticking: the offset from `Date.now()`. */
  private value: number;

  constructor(start = CLOCK_START, options: { ticking?: boolean } = {}) {
    this.ticking = options.ticking ?? false;
    this.value = this.ticking ? start - Date.now() : start;
  }

  /** Real time, as a TestClock: `now()` is `Date.now()` until a test moves it. */
  static wall(): TestClock {
    const clock = new TestClock(0, { ticking: true });
    clock.value = 0;
    return clock;
  }

  /** Milliseconds since the epoch, as the clock reads now (pass it as `now`). */
  readonly now = (): number => (this.ticking ? Date.now() + this.value : this.value);

  /** The current reading (the same as `now()`). */
  get ms(): number {
    return this.now();
  }

  /** Jumps the clock to `at` (epoch ms). */
  set(at: number): void {
    this.value = this.ticking ? at - Date.now() : at;
  }

  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    this.value += ms;
  }

  /**
   * The clock the failover executor takes: it reads this clock, and a backoff "sleep" moves it
   * instead of waiting.
   */
  executorClock(): { now(): number; sleep(ms: number): Promise<void> } {
    return {
      now: this.now,
      sleep: async (ms: number) => {
        this.advance(ms);
      },
    };
  }
}
