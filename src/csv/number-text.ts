/**
 * Numbers written as `String(value)` writes them, straight into bytes. The predictions table of a
 * regression holds three doubles per row, and `String(value)` (a call into the runtime, a new
 * string, then UTF-8 encoding) was most of the time of logging a million samples. No well-kept
 * npm package does shortest round-trip text of doubles, so it is done here, and only where it is
 * exact by construction; every other value (huge, tiny, non-finite, or any case this code cannot
 * decide) goes through `String(value)` itself.
 *
 * How, for a value `x` written in plain notation (1e-6 ≤ |x| < 1e15): ECMAScript writes the
 * fewest significant digits that convert back to `x`, and of those the closest to `x`.
 * - Any decimal of at most 15 digits that converts back to `x` is `x` rounded to 15 digits
 *   (DBL_DIG: 10^15 < 2^52), so that rounding is the only candidate of 15 digits or fewer.
 * - Of 16 digits, `x` rounded to 16 digits is the closest candidate; when it does not convert
 *   back, only its neighbour on the other side of `x` may (the interval of values that round to
 *   `x` is at most 2.3 units of the 16th digit wide).
 * - 17 digits always convert back, so `x` rounded to 17 digits is the answer then.
 * Each rounding is exact: `x · 10^k` (10^k exact for k ≤ 22) is `hi + lo` exactly by Dekker's
 * product, and an exact tie gives up. A candidate `n` of at most 2^53 converts back exactly when
 * `n / 10^k === x`, as IEEE division rounds to nearest like the conversion does.
 */

/** The most bytes any number takes as text ("-0.0000012345678901234567" is 25). */
export const NUMBER_TEXT_MAX_BYTES = 25;

const POWERS_OF_TEN: number[] = [1];
for (let power = 1; power <= 22; power += 1) POWERS_OF_TEN.push(POWERS_OF_TEN[power - 1]! * 10);

// 2^27 + 1 splits a double into two halves of 26 bits whose products are exact (Dekker).
const SPLITTER = 134217729;
const TWO_52 = 2 ** 52;
const TWO_53 = 2 ** 53;
const E8 = 1e8;
const ZERO = 48;
const POINT = 46;
const MINUS = 45;

/** Digits of the value being written, most significant first: 17, zeros in front. */
const digits = new Uint8Array(17);
/** "00", "01", … "99" as ASCII. */
const DIGIT_PAIRS = new Uint8Array(200);
for (let pair = 0; pair < 100; pair += 1) {
  DIGIT_PAIRS[2 * pair] = ZERO + Math.floor(pair / 10);
  DIGIT_PAIRS[2 * pair + 1] = ZERO + (pair % 10);
}
// Each power of ten split in two halves of 26 bits, for Dekker's product.
const POWER_HIGH = POWERS_OF_TEN.map((power) => SPLITTER * power - (SPLITTER * power - power));
const POWER_LOW = POWERS_OF_TEN.map((power, index) => power - POWER_HIGH[index]!);

/**
 * The value being written. A double handed to a function that is not inlined becomes a new heap
 * object: three per row of a regression table kept the garbage collector busy. The exported
 * function is small enough to be inlined where it is called, and hands the value over here.
 */
const number = new Float64Array(1);
const numberWords = new Uint32Array(number.buffer);
/** Index of the word of {@link number} that holds its sign and exponent: 1 on little-endian. */
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LOG10_2 = Math.log10(2);

/**
 * Writes `String(value)` as ASCII into `bytes` from `at`, which must have room for
 * {@link NUMBER_TEXT_MAX_BYTES}; returns where the text ends.
 */
export function writeNumberText(bytes: Uint8Array, at: number, value: number): number {
  number[0] = value;
  return writeNumber(bytes, at);
}

/** {@link number} as `String` writes it. */
function writeNumber(bytes: Uint8Array, at: number): number {
  const value = number[0]!;
  const negative = value < 0;
  const magnitude = negative ? -value : value;
  const start = negative ? at + 1 : at;
  let end = -1;
  if (Number.isInteger(magnitude) && magnitude <= TWO_53) {
    const top = Math.floor(magnitude / E8);
    end = writeDigits(bytes, start, top, magnitude - top * E8, 0);
  } else if (magnitude >= 1e-6 && magnitude < 1e15) {
    end = writeFraction(bytes, start);
  }
  if (end < 0) return writeAscii(bytes, at, String(value));
  if (negative) bytes[at] = MINUS;
  return end;
}

function writeAscii(bytes: Uint8Array, at: number, text: string): number {
  for (let index = 0; index < text.length; index += 1) bytes[at + index] = text.charCodeAt(index);
  return at + text.length;
}

/** |{@link number}|, a non-integer in [1e-6, 1e15); -1 when it is not decided here. */
function writeFraction(bytes: Uint8Array, at: number): number {
  const x = Math.abs(number[0]!);
  // The scale that gives x 17 integer digits, x · 10^scale in [1e16, 1e17), from its binary
  // exponent: x < 2^(e2 + 1) makes its decimal exponent e2 · log10(2) rounded down, or one more.
  const binaryExponent = ((numberWords[HIGH_WORD]! >>> 20) & 0x7ff) - 1023;
  let scale = Math.min(22, 16 - Math.floor(binaryExponent * LOG10_2));
  if (scale < 2) return -1;
  let hi = x * POWERS_OF_TEN[scale]!;
  if (hi >= 1e17 && scale > 2) hi = x * POWERS_OF_TEN[(scale -= 1)]!;
  else if (hi < 1e16 && scale < 22) hi = x * POWERS_OF_TEN[(scale += 1)]!;
  if (!(hi >= 1e16 && hi < 1e17)) return -1;
  const split = SPLITTER * x;
  const xHigh = split - (split - x);
  const xLow = x - xHigh;

  // x rounded to 17 digits, top · 10^8 + low: always converts back to x.
  let error = productError(xHigh, xLow, scale, hi);
  if (error - Math.floor(error) === 0.5) return -1;
  // hi / 10^8 may round up to the next integer: `low` then comes out negative (writeDigits carries).
  const top = Math.floor(hi / E8);
  const low = (hi - top * E8 + Math.round(error)) | 0;

  // 15 digits or fewer: only x rounded to 15 digits can be one, and it is within half a unit in
  // the last place of x (at most 11.1 here) of x, so within 11.6 of the 17 digits' value.
  const lastTwo = ((low % 100) + 100) % 100;
  let k = scale - 2;
  let power: number;
  let scaled: number;
  let candidate: number;
  if (lastTwo < 12 || lastTwo > 88) {
    power = POWERS_OF_TEN[k]!;
    scaled = x * power;
    error = productError(xHigh, xLow, k, scaled);
    candidate = nearestInteger(scaled, error);
    if (candidate < 0) return -1;
    if (candidate / power === x) return writeInteger(bytes, at, candidate, k);
  }

  // 16 digits: x rounded to 16 digits, else its neighbour on the other side of x.
  k = scale - 1;
  power = POWERS_OF_TEN[k]!;
  scaled = x * power;
  error = productError(xHigh, xLow, k, scaled);
  candidate = nearestInteger(scaled, error);
  if (candidate < 0) return -1;
  // Exact: scaled and candidate are within 1 of each other (Sterbenz).
  if (candidate / power !== x) candidate += scaled - candidate > -error ? 1 : -1;
  if (candidate / power === x) return writeInteger(bytes, at, candidate, k);
  return writeDigits(bytes, at, top, low, scale);
}

/**
 * The exact error of `product`, the rounded x · 10^k, from x split in two halves (Dekker): the
 * halves times the two parts of 10^k are exact, so their sum less `product` is what rounding lost.
 */
function productError(xHigh: number, xLow: number, k: number, product: number): number {
  return (
    xHigh * POWER_HIGH[k]! -
    product +
    xHigh * POWER_LOW[k]! +
    xLow * POWER_HIGH[k]! +
    xLow * POWER_LOW[k]!
  );
}

/** The digits of `digits` · 10^-k (an integer below 2^53), as writeDigits takes them. */
function writeInteger(bytes: Uint8Array, at: number, digits: number, k: number): number {
  const top = Math.floor(digits / E8);
  return writeDigits(bytes, at, top, digits - top * E8, k);
}

/**
 * hi + lo (lo the exact error of the product hi) rounded to the nearest integer; -1 for an exact
 * tie (the caller gives up) and for results of 2^53 or more.
 */
function nearestInteger(hi: number, lo: number): number {
  if (hi >= TWO_53) return -1;
  // From 2^52 on, hi is an integer and |lo| ≤ 1/2.
  if (hi >= TWO_52) return lo === 0.5 || lo === -0.5 ? -1 : hi;
  const floor = Math.floor(hi);
  // Exact: hi - floor is hi's fraction, and a multiple of hi's last bit minus 1/2 is one too.
  const aboveHalf = hi - floor - 0.5;
  if (aboveHalf > -lo) return floor + 1;
  if (aboveHalf < -lo) return floor;
  return -1;
}

/**
 * (top · 10^8 + low) · 10^-scale in plain notation as ECMAScript writes it (trailing zeros
 * dropped); -1 outside it (exponents). `low` may be a little out of [0, 10^8): it is carried.
 */
function writeDigits(
  bytes: Uint8Array,
  at: number,
  top: number,
  low: number,
  scale: number,
): number {
  if (low < 0) {
    low += E8;
    top -= 1;
  } else if (low >= E8) {
    low -= E8;
    top += 1;
  }
  if (top >= 10 * E8) return -1;
  // Two digits at a time, in groups that do not wait on one another: a chain of 17 divisions
  // by 10 took longer than all the rest.
  const first = (top / E8) | 0;
  digits[0] = ZERO + first;
  putEight(top - first * E8, 1);
  putEight(low, 9);
  let start = 0;
  while (start < 16 && digits[start] === ZERO) start += 1;
  let stop = 17;
  while (stop > start + 1 && digits[stop - 1] === ZERO) stop -= 1;
  const point = 17 - start - scale;
  if (point > 21 || point <= -6) return -1;
  const split = start + point;
  let end = at;
  if (split >= stop) {
    for (let index = start; index < stop; index += 1) bytes[end++] = digits[index]!;
    for (let index = stop; index < split; index += 1) bytes[end++] = ZERO;
  } else if (point > 0) {
    for (let index = start; index < split; index += 1) bytes[end++] = digits[index]!;
    bytes[end++] = POINT;
    for (let index = split; index < stop; index += 1) bytes[end++] = digits[index]!;
  } else {
    bytes[end++] = ZERO;
    bytes[end++] = POINT;
    for (let index = point; index < 0; index += 1) bytes[end++] = ZERO;
    for (let index = start; index < stop; index += 1) bytes[end++] = digits[index]!;
  }
  return end;
}

/** Eight digits of `value` (below 10^8), zeros in front, into {@link digits} from `from`. */
function putEight(value: number, from: number): void {
  // As 32-bit integers, so that dividing by a constant is a multiplication.
  const whole = value | 0;
  const high = (whole / 10000) | 0;
  const low = whole - high * 10000;
  const a = (high / 100) | 0;
  const b = high - a * 100;
  const c = (low / 100) | 0;
  const d = low - c * 100;
  digits[from] = DIGIT_PAIRS[2 * a]!;
  digits[from + 1] = DIGIT_PAIRS[2 * a + 1]!;
  digits[from + 2] = DIGIT_PAIRS[2 * b]!;
  digits[from + 3] = DIGIT_PAIRS[2 * b + 1]!;
  digits[from + 4] = DIGIT_PAIRS[2 * c]!;
  digits[from + 5] = DIGIT_PAIRS[2 * c + 1]!;
  digits[from + 6] = DIGIT_PAIRS[2 * d]!;
  digits[from + 7] = DIGIT_PAIRS[2 * d + 1]!;
}
