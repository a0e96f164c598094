/**
 * How the project prints numbers for people.
 * @module
 */

/**
 * A share as a percentage with a fixed number of decimals and a spaced sign.
 *
 * @param share The share, e.g. 0.9965.
 * @param decimals Decimals to print (default 2).
 * @returns E.g. `"99.65 %"`.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals([pct(0.9965), pct(0.5, 1)], ["99.65 %", "50.0 %"]);
 * ```
 */
export function pct(share: number, decimals = 2): string {
  return `${(100 * share).toFixed(decimals)} %`;
}
