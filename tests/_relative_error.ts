/** The relative error of a whole tensor, for tests that hold one computation against another. */
import { assertEquals } from "@std/assert";

/**
 * max over elements |a − b| / max(max |a|, 1e-12): the relative error of `b` against the reference `a`.
 *
 * @param a The reference values (for a tensor, its `dataSync()`).
 * @param b The values to check, as many as `a`.
 * @returns The largest difference, relative to the reference's largest magnitude.
 */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertEquals(a.length, b.length);
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return diff / scale;
}
