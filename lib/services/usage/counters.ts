/**
 * The figures every usage counter and rollup entry holds. All are non-negative integers that only
 * grow (atomic `ADD` of non-negative amounts), which is what makes the rollup's max-merge exact:
 * `requests` grows by exactly one per recorded call, so it orders the states of one counter.
 */
export const COUNTER_FIELDS = [
  'requests',
  'errors',
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  /** Audio in milliseconds (audio seconds × 1000, rounded). */
  'audio_ms',
  'characters',
  /** Cost in integer nano-USD. */
  'cost_nanos',
  /** Sum of latencies in milliseconds (average = sum / requests). */
  'latency_ms_sum',
  /** Successful calls with usage the price in force did not cover (cost counted as 0). */
  'unpriced_requests',
  /** Images generated. */
  'images',
  /** Input tokens written to the provider's prompt cache (part of `input_tokens`). */
  'cache_write_tokens',
  /** Output tokens spent reasoning, as the provider reported them (part of `output_tokens`). */
  'reasoning_tokens',
  /** Requests answered from the response cache (also counted in `requests`, never in tokens or cost). */
  'cache_hits',
  /** Input plus output tokens of the answers the cache replayed. */
  'cache_hit_tokens',
  /** What the cache hits would have cost at the price in force, in integer nano-USD. */
  'cost_saved_nanos',
  /** Streams the client abandoned (part of `requests`; their tokens and cost are counted). */
  'cancelled',
] as const;

export type CounterField = (typeof COUNTER_FIELDS)[number];
export type Counters = Record<CounterField, number>;

/** Counters that are all zero. */
export function zeroCounters(): Counters {
  return Object.fromEntries(COUNTER_FIELDS.map((f) => [f, 0])) as Counters;
}

/** Adds `b` into `a` (in place) and returns `a`. */
export function addCounters(a: Counters, b: Counters): Counters {
  for (const f of COUNTER_FIELDS) a[f] += b[f];
  return a;
}

/** Thrown when stored counters are not what the writer wrote (a poison stream record). */
export class InvalidCountersError extends Error {
  override name = 'InvalidCountersError';
}

/**
 * Reads counters from a stored map. Missing fields are 0 (items written before a field existed).
 *
 * @throws InvalidCountersError when a field is not a non-negative safe integer, or `requests` is 0.
 */
export function parseCounters(raw: unknown): Counters {
  if (typeof raw !== 'object' || raw === null) throw new InvalidCountersError('counters are not a map');
  const source = raw as Record<string, unknown>;
  const out = zeroCounters();
  for (const f of COUNTER_FIELDS) {
    const value = source[f] ?? 0;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new InvalidCountersError(`counter ${f} is not a non-negative integer`);
    }
    out[f] = value;
  }
  if (out.requests < 1) throw new InvalidCountersError('a counter without requests');
  return out;
}
