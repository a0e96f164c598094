/**
 * Seeded initial weights for exercise H6.1 (b)–(d): a normal distribution truncated at two
 * standard deviations, drawn from the project's xoshiro128** stream, so a seed gives the same
 * bytes on every machine (tf.truncatedNormal draws from its own generator).
 * @module
 */
import { createRng } from "../core/rng.ts";
import { H61 } from "./spec.ts";

/** Options of {@link truncatedNormal}. */
export interface TruncatedNormalOptions {
  /** How many values. */
  size: number;
  /** Seed of the stream, an integer in [0, 2^32). */
  seed: number;
  /** The mean; (b) 0. */
  mean?: number;
  /** The standard deviation of the normal before truncation; (b) 0.01. */
  sd?: number;
  /** Draws farther than this many sds from the mean are redrawn; (b) 2. */
  truncateAtSd?: number;
}

const KEYS = new Set(["size", "seed", "mean", "sd", "truncateAtSd"]);

/**
 * Draws values from a normal distribution and redraws every value farther than `truncateAtSd`
 * standard deviations from the mean (TensorFlow's `truncated_normal`). Normals come from the
 * Box–Muller transform, both of its outputs used in turn, on 32-bit uniforms.
 *
 * @param options Size, seed and, when not the spec's, mean, sd and cut.
 * @returns Float32 values, shape `[size]`.
 * @throws {TypeError} An unknown option.
 * @throws {RangeError} A size that is not a non-negative integer, a negative sd, a cut that is not positive, or a bad seed.
 * @example
 * ```ts
 * import { assert, assertEquals } from "@std/assert";
 * const w = truncatedNormal({ size: 1000, seed: 1 });
 * assert(w.every((v) => Math.abs(v) <= Math.fround(0.02)));
 * assertEquals(truncatedNormal({ size: 1000, seed: 1 }), w);
 * ```
 */
export function truncatedNormal(options: TruncatedNormalOptions): Float32Array {
  for (const key of Object.keys(options)) {
    if (!KEYS.has(key)) throw new TypeError(`Unknown truncated-normal option "${key}"`);
  }
  const { size, seed, mean = H61.init.mean, sd = H61.init.sd, truncateAtSd = H61.init.truncateAtSd } = options;
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new RangeError(`Truncated-normal size must be a non-negative integer, got ${size}`);
  }
  if (!(sd >= 0) || !Number.isFinite(sd)) throw new RangeError(`Truncated-normal sd must be >= 0, got ${sd}`);
  if (!(truncateAtSd > 0)) throw new RangeError(`Truncated-normal cut must be > 0 sd, got ${truncateAtSd}`);
  const rng = createRng(seed);
  const out = new Float32Array(size);
  let spare: number | undefined;
  const normal = (): number => {
    if (spare !== undefined) {
      const z = spare;
      spare = undefined;
      return z;
    }
    const u = 1 - rng.nextFloat(); // (0, 1]: log(u) is finite
    const r = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * rng.nextFloat();
    spare = r * Math.sin(angle);
    return r * Math.cos(angle);
  };
  for (let i = 0; i < size; i++) {
    let z = normal();
    while (Math.abs(z) > truncateAtSd) z = normal();
    out[i] = mean + sd * z;
  }
  return out;
}

/**
 * The standard deviation of a normal truncated at ±c standard deviations, as a multiple of the
 * untruncated sd: sqrt(1 − 2c·φ(c) / (Φ(c) − Φ(−c))); ≈ 0.8796 at c = 2.
 *
 * @param c The cut, in sds.
 * @returns The truncated distribution's sd over the normal's.
 * @example
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * assertAlmostEquals(truncatedSdRatio(2), 0.8796, 1e-4);
 * ```
 */
export function truncatedSdRatio(c: number): number {
  const phi = Math.exp(-c * c / 2) / Math.sqrt(2 * Math.PI);
  return Math.sqrt(1 - 2 * c * phi / (2 * standardNormalCdf(c) - 1));
}

/**
 * Φ(x), the standard normal's distribution function, by its Taylor series (Marsaglia 2004),
 * accurate to about 1e-15 for |x| <= 5.
 *
 * @param x The point.
 * @returns P(Z <= x) for a standard normal Z.
 * @example
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * assertAlmostEquals(standardNormalCdf(2), 0.97725, 1e-5);
 * ```
 */
export function standardNormalCdf(x: number): number {
  // Φ(x) = 1/2 + φ(x)·Σ x^(2n+1) / (1·3·5···(2n+1)), converging for every x
  const phi = Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
  let term = x;
  let sum = x;
  for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= x * x / (2 * n + 1);
    sum += term;
  }
  return 0.5 + phi * sum;
}
