/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman and Vigna, 2018), 32-bit output,
 * with its 128-bit state filled from the seed by SplitMix32. Never `Math.random()`.
 * @module
 */
import { checkSeed } from "./spec.ts";

/** A stream of seeded random numbers. */
export interface Rng {
  /** The next uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** A uniform integer in [0, n), without modulo bias (rejection sampling). */
  nextInt(n: number): number;
  /** A uniform float in [0, 1) with 32 random bits. */
  nextFloat(): number;
}

function splitMix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) >>> 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return [state, (z ^ (z >>> 16)) >>> 0];
}

/**
 * Creates a xoshiro128** generator from a seed.
 *
 * @param seed An integer in [0, 2^32).
 * @returns A generator; the same seed always gives the same stream.
 * @throws {RangeError} A seed outside [0, 2^32) or not an integer.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(createRng(7).nextUint32(), createRng(7).nextUint32());
 * ```
 */
export function createRng(seed: number): Rng {
  checkSeed(seed);
  const s = new Uint32Array(4);
  let state = seed;
  for (let i = 0; i < 4; i++) {
    [state, s[i]] = splitMix32(state);
  }
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
  return {
    nextUint32,
    nextInt(n: number): number {
      if (!Number.isInteger(n) || n < 1 || n > 0x1_0000_0000) {
        throw new RangeError(
          `Range size must be an integer in [1, 2^32], got ${n}`,
        );
      }
      const limit = 0x1_0000_0000 - (0x1_0000_0000 % n);
      let x = nextUint32();
      while (x >= limit) x = nextUint32();
      return x % n;
    },
    nextFloat: () => nextUint32() / 0x1_0000_0000,
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Derives an independent seed for a named stream (data, init, shuffle of epoch e, ...).
 *
 * @param seed The run's seed.
 * @param tags Names and numbers that identify the stream.
 * @returns A seed in [0, 2^32).
 */
export function deriveSeed(seed: number, ...tags: (string | number)[]): number {
  checkSeed(seed);
  // FNV-1a over the tags' text, mixed with the seed by SplitMix32.
  let h = 0x811c9dc5;
  for (const ch of tags.join("/")) {
    h = Math.imul(h ^ ch.codePointAt(0)!, 0x01000193) >>> 0;
  }
  return splitMix32((seed ^ h) >>> 0)[1];
}

/**
 * Shuffles an array in place by Fisher-Yates: for i from the last index down to 1, swap item i
 * with item `rng.nextInt(i + 1)`. It draws exactly `length - 1` numbers, so a stream gives the
 * same order every time.
 *
 * @param rng The stream to draw from.
 * @param array The items; reordered in place.
 * @returns The same array, shuffled.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * const a = shuffleInPlace(createRng(1), [0, 1, 2, 3]);
 * assertEquals([...a].sort(), [0, 1, 2, 3]);
 * assertEquals(shuffleInPlace(createRng(1), [0, 1, 2, 3]), a);
 * ```
 */
export function shuffleInPlace<A extends { length: number; [index: number]: unknown }>(rng: Rng, array: A): A {
  for (let i = array.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const tmp = array[i];
    array[i] = array[j];
    array[j] = tmp;
  }
  return array;
}
