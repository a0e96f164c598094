import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import fc from "fast-check";
import { SUM_LINE_HALF_WIDTH, SUM_LINE_MIN_SERIES, sumLineCutoff } from "../src/core/cutoff.ts";
import { decide } from "../src/core/metrics.ts";
import { makeDataset, seriesSum } from "../src/core/dataset.ts";
import { SPEC } from "../src/core/spec.ts";

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** A training split whose labels follow the rule sum >= 100, with p from a line in the sum. */
function lineSplit(sums: number[], slope: number, crossing: number) {
  return {
    sums,
    labels: sums.map((s) => (s >= SPEC.threshold ? 1 : 0)),
    p: sums.map((s) => sigmoid(slope * (s - crossing))),
  };
}

// at least SUM_LINE_MIN_SERIES series near the boundary, some far from it, and both 99 and 100
const sumsNearThreshold = fc.tuple(
  fc.array(fc.integer({ min: 97, max: 102 }), { minLength: 20, maxLength: 120 }),
  fc.array(fc.integer({ min: 80, max: 120 }), { maxLength: 60 }),
).map(([near, far]) => [...near, ...far, 99, 100]);

/** Training splits whose logit(p) is exactly slope·(sum − crossing), the boundary misplaced by up to 1.5 sums. */
const lineCases = fc.tuple(
  sumsNearThreshold,
  fc.double({ min: 0.3, max: 3, noNaN: true }),
  fc.double({ min: 98, max: 101, noNaN: true }),
).map(([sums, slope, crossing]) => {
  const train = lineSplit(sums, slope, crossing);
  return { slope, crossing, cut: sumLineCutoff(train, train) };
});

Deno.test("sumLineCutoff() reads the line back: logit(p) = slope·(sum − crossing) gives that slope and crossing", () => {
  fc.assert(fc.property(lineCases, ({ slope, crossing, cut }) => {
    assertAlmostEquals(cut.slope, slope, 1e-6);
    assertAlmostEquals(cut.crossing, crossing, 1e-6);
    assertEquals(cut.midpoint, 99.5);
  }));
});

Deno.test("sumLineCutoff() makes a model whose p rises with the sum decide every series by the rule", () => {
  // the 0.5 cut-off gets such a boundary wrong at 99 or 100
  fc.assert(fc.property(lineCases, ({ slope, crossing, cut }) => {
    for (let s = 85; s <= 115; s++) {
      assertEquals(decide(sigmoid(slope * (s - crossing)), cut.cutoff), s >= SPEC.threshold ? 1 : 0, `sum ${s}`);
    }
    assertEquals(cut.validation.accuracy, 1);
  }));
});

Deno.test("sumLineCutoff() decides the same when every logit moves by one constant", () => {
  fc.assert(fc.property(
    sumsNearThreshold.chain((sums) =>
      fc.tuple(
        fc.constant(sums),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: sums.length, maxLength: sums.length }),
      )
    ),
    fc.double({ min: -3, max: 3, noNaN: true }),
    ([sums, noise], shift) => {
      const logits = sums.map((s, i) => s - 99.2 + noise[i]);
      const labels = sums.map((s) => (s >= SPEC.threshold ? 1 : 0));
      const a = sumLineCutoff({ sums, labels, p: logits.map(sigmoid) }, { labels, p: logits.map(sigmoid) });
      const moved = logits.map((z) => sigmoid(z + shift));
      const b = sumLineCutoff({ sums, labels, p: moved }, { labels, p: moved });
      assertAlmostEquals(b.crossing, a.crossing - shift / a.slope, 1e-6);
      logits.forEach((z, i) => {
        // away from the cut itself, where rounding may fall either way
        if (Math.abs(z - Math.log(a.cutoff / (1 - a.cutoff))) > 1e-6) {
          assertEquals(decide(moved[i], b.cutoff), decide(sigmoid(z), a.cutoff));
        }
      });
    },
  ));
});

Deno.test("sumLineCutoff() fits only the training series within SUM_LINE_HALF_WIDTH of the midpoint", () => {
  const near = [97, 98, 99, 100, 101, 102];
  const sums = Array.from({ length: 60 }, (_, i) => near[i % near.length]);
  const train = lineSplit(sums, 1, 99.2);
  // far series on another line change nothing
  const far = [80, 85, 90, 95.5, 115, 120];
  const withFar = {
    sums: [...train.sums, ...far],
    labels: [...train.labels, ...far.map((s) => (s >= 100 ? 1 : 0))],
    p: [...train.p, ...far.map((s) => sigmoid(5 * (s - 90)))],
  };
  assertEquals(SUM_LINE_HALF_WIDTH, 3);
  assertEquals(sumLineCutoff(withFar, train).crossing, sumLineCutoff(train, train).crossing);
  assertEquals(sumLineCutoff(withFar, train).series, 60);
});

Deno.test("sumLineCutoff() never looks at validation to choose", () => {
  const train = lineSplit(Array.from({ length: 80 }, (_, i) => 96 + (i % 8)), 1.2, 99.1);
  const a = sumLineCutoff(train, { labels: [1, 0], p: [0.9, 0.1] });
  const b = sumLineCutoff(train, { labels: [0, 0, 1], p: [0.6, 0.2, 0.3] });
  assertEquals(a.cutoff, b.cutoff);
  assertEquals([a.validation.accuracy, b.validation.accuracy], [1, 2 / 3]);
});

Deno.test("sumLineCutoff() on the exercise's training split: the midpoint is threshold − 0.5, with about 90 series", () => {
  const data = makeDataset({ seed: 42 });
  const T = SPEC.seriesLength;
  const sums = Array.from({ length: data.train.size }, (_, i) => seriesSum(data.train.x.subarray(i * T, (i + 1) * T)));
  const train = lineSplit(sums, 1, 99.3);
  const cut = sumLineCutoff({ ...train, labels: data.train.y }, train);
  assertEquals(cut.midpoint, SPEC.threshold - 0.5);
  assert(cut.series > 60 && cut.series < 120, `${cut.series} series`);
  assert(cut.series >= SUM_LINE_MIN_SERIES);
});

Deno.test("sumLineCutoff() refuses what it cannot fit, naming the problem", () => {
  const ok = lineSplit(Array.from({ length: 60 }, (_, i) => 97 + (i % 6)), 1, 99.5);
  const cases: [string, Parameters<typeof sumLineCutoff>[0], RegExp][] = [
    ["lengths", { ...ok, p: ok.p.slice(1) }, /one sum, label and P per series, got 60 sums, 60 labels and 59 P/],
    ["one class", { ...ok, labels: ok.labels.map(() => 1) }, /both classes in the training split, got 0 of class 0/],
    [
      "labels not a cut of the sum",
      { ...ok, labels: ok.sums.map((s) => (s === 101 ? 0 : s >= 100 ? 1 : 0)) },
      /labels that a sum threshold separates, got class 0 up to sum 101 and class 1 from sum 100/,
    ],
    [
      "too few series",
      { sums: [99, 100, 99, 100], labels: [0, 1, 0, 1], p: [0.4, 0.6, 0.4, 0.6] },
      /at least 20 training series with sums in 96.5\.\.102.5, got 4/,
    ],
    [
      "p falls with the sum",
      { ...ok, p: ok.sums.map((s) => sigmoid(99.5 - s)) },
      /logit\(p\) rising with the sum, got slope -1/,
    ],
  ];
  for (const [what, train, message] of cases) {
    assertThrows(() => sumLineCutoff(train, { labels: [1], p: [0.9] }), RangeError, undefined, what);
    const error = (() => {
      try {
        sumLineCutoff(train, { labels: [1], p: [0.9] });
      } catch (e) {
        return (e as Error).message;
      }
    })()!;
    assert(message.test(error), `${what}: ${error}`);
  }
});
