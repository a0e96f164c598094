import { assertEquals } from "@std/assert";
import fc from "fast-check";
import { pct } from "../mod.ts";

Deno.test("pct() prints a share as a percentage with the decimals asked, 2 by default", () => {
  assertEquals([pct(0.9965), pct(1), pct(0), pct(0.011749570957, 5), pct(0.45, 1)], [
    "99.65 %",
    "100.00 %",
    "0.00 %",
    "1.17496 %",
    "45.0 %",
  ]);
  fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 6 }), (x, d) => {
    assertEquals(pct(x, d), `${(100 * x).toFixed(d)} %`);
  }));
});
