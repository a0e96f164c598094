import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import fc from "fast-check";
import { proportionFacts, seedFacts, thresholdFacts } from "../src/report/uncertainty.ts";
import { accuracy, confusion } from "../src/core/metrics.ts";
import { summarize } from "../src/core/stats.ts";
import type { RunRecord } from "../src/runner/record.ts";

const sample = fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.double({ min: 0, max: 1, noNaN: true })), {
  minLength: 1,
  maxLength: 60,
});

Deno.test("thresholdFacts() picks the cut-off of highest training accuracy, as trying every cut-off does", () => {
  fc.assert(fc.property(sample, (rows) => {
    const labels = rows.map(([y]) => y);
    const p = rows.map(([, q]) => q);
    const t = thresholdFacts({ labels, p }, { labels, p });
    const best = Math.max(...[0.5, ...p].map((cut) => accuracy(confusion(labels, p, cut))));
    assertAlmostEquals(t.trainAccuracy, best, 1e-12);
    assertAlmostEquals(accuracy(confusion(labels, p, t.cutoff)), best, 1e-12);
  }));
});

Deno.test("thresholdFacts() never looks at validation to choose", () => {
  fc.assert(fc.property(sample, sample, sample, (train, v1, v2) => {
    const split = (rows: [number, number][]) => ({ labels: rows.map(([y]) => y), p: rows.map(([, q]) => q) });
    assertEquals(thresholdFacts(split(train), split(v1)).cutoff, thresholdFacts(split(train), split(v2)).cutoff);
  }));
});

Deno.test("thresholdFacts() keeps 0.5 when nothing does better on training", () => {
  const t = thresholdFacts({ labels: [0, 1], p: [0.2, 0.8] }, { labels: [0, 1], p: [0.4, 0.6] });
  assertEquals([t.cutoff, t.trainAccuracy, t.trainAccuracyAtHalf], [0.5, 1, 1]);
});

Deno.test("proportionFacts() counts accuracy and both recalls with Wilson intervals", () => {
  // 3 of 4 right: one class-1 series at 0.3
  const f = proportionFacts([1, 1, 0, 1], [0.9, 0.3, 0.1, 0.7]);
  assertEquals([f.accuracy.right, f.accuracy.total, f.class0Recall.right, f.class0Recall.total], [3, 4, 1, 1]);
  assertEquals([f.class1Recall.right, f.class1Recall.total], [2, 3]);
  assert(f.accuracy.wilson.low < 0.75 && 0.75 < f.accuracy.wilson.high);
  assertEquals(f.class0Recall.wilson.high, 1);
});

const run = (seed: number, acc: number, tn: number, fp: number, atThreshold: number) =>
  ({
    config: { seed },
    validation: { accuracy: acc, specificity: tn / (tn + fp), mcc: acc - 0.1, confusion: { tp: 0, fn: 0, tn, fp } },
    boundary: { atThreshold },
  }) as unknown as RunRecord;

Deno.test("seedFacts() summarises runs in seed order and pools class 0 over them", () => {
  const f = seedFacts([run(2, 0.99, 18, 2, 0.4), run(1, 0.995, 20, 0, 0.3)])!;
  assertEquals(f.seeds, [1, 2]);
  assertEquals(f.accuracy, summarize([0.995, 0.99]));
  assertEquals(f.boundaryAtThreshold, summarize([0.3, 0.4]));
  assertEquals([f.class0Pooled.right, f.class0Pooled.total], [38, 40]);
  assertEquals(f.perRun.map((r) => r.seed), [1, 2]);
  assertEquals(seedFacts([]), undefined);
});
