/**
 * Scratch buffers the probability metrics borrow and give back. At a million samples and ten
 * classes they need about 90 MB of typed arrays; allocating that on every call made V8 run a
 * full mark-compact of the caller's heap (a million yScore rows: 150–300 ms, more than the
 * metrics themselves) on every call, for "external memory pressure". The last buffer given back
 * is kept through a WeakRef only: a caller computing metrics in a loop reuses it, and the next
 * garbage collection frees it as it would free any garbage, so nothing is held for good.
 */

let spare: WeakRef<Float64Array> | undefined;

/**
 * A Float64Array of `length` values (its contents are left over from an earlier use), reused
 * when the spare one is long enough. Give it back with {@link giveBack} when done; until then
 * nobody else gets it, so a re-entrant call allocates its own.
 */
export function borrowFloat64(length: number): Float64Array {
  const buffer = spare?.deref();
  if (buffer !== undefined && buffer.length >= length) {
    spare = undefined;
    return buffer.subarray(0, length);
  }
  return new Float64Array(length);
}

/** Offers a borrowed buffer (or a view of it) for the next {@link borrowFloat64}. */
export function giveBack(buffer: Float64Array): void {
  const whole =
    buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength
      ? buffer
      : new Float64Array(buffer.buffer as ArrayBuffer);
  const current = spare?.deref();
  if (current === undefined || current.length < whole.length) spare = new WeakRef(whole);
}
