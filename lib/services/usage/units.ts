/**
 * Exact money and quantity units. Money is stored and summed as integer nano-USD (1e-9 USD): a
 * 30-token embedding at $0.02 per million tokens costs 600 nano-USD, which micro-USD would round
 * to 1 (a 67 % error). Integer nanos stay exact in a JS number up to 2^53 nano-USD (≈ $9M) per
 * counter, and DynamoDB's `ADD` is exact to 38 digits. Decimals typed by an admin (prices, limits)
 * are read from their shortest decimal spelling, never through binary floating point arithmetic.
 */

/** Nano-USD in one US dollar. */
export const NANOS_PER_USD = 1_000_000_000;

/** An exact non-negative decimal: `digits / 10^scale`. */
export interface Decimal {
  digits: bigint;
  scale: number;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i;

/**
 * The exact decimal a finite non-negative number was written as (its shortest round-trip spelling,
 * `0.1` → 1/10, `1e-7` → 1/10^7).
 *
 * @throws RangeError for a negative, NaN or infinite value.
 */
export function toDecimal(value: number): Decimal {
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`not a non-negative finite number: ${value}`);
  const match = DECIMAL.exec(String(value));
  if (!match) throw new RangeError(`cannot read ${value} as a decimal`);
  const fraction = match[2] ?? '';
  const exponent = Number(match[3] ?? '0');
  let digits = BigInt(`${match[1]}${fraction}`);
  let scale = fraction.length - exponent;
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { digits, scale };
}

/** `numerator / denominator` rounded half up to an integer (both non-negative). */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}

/** A bigint that must fit a JS number exactly. @throws RangeError beyond 2^53 − 1. */
export function toSafeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${what} is too large to count exactly`);
  return Number(value);
}

/** A USD amount (e.g. a quota limit of 12.5) as integer nano-USD, rounded half up below a nano. */
export function usdToNanos(usd: number): number {
  const { digits, scale } = toDecimal(usd);
  return toSafeNumber(divideRounded(digits * BigInt(NANOS_PER_USD), 10n ** BigInt(scale)), 'USD amount');
}

/**
 * Integer nano-USD as a USD number for responses. The division of two exact integers is correctly
 * rounded, so the JSON spelling is the exact decimal (at most 9 places) for sums below 2^53 nanos.
 */
export function nanosToUsd(nanos: number): number {
  return nanos / NANOS_PER_USD;
}

/** Seconds (possibly fractional, e.g. 12.345 s of audio) as integer milliseconds, rounded half up. */
export function secondsToMs(seconds: number): number {
  const { digits, scale } = toDecimal(seconds);
  return toSafeNumber(divideRounded(digits * 1000n, 10n ** BigInt(scale)), 'seconds');
}
