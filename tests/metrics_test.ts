import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import fc from "fast-check";
import {
  accuracy,
  averagePrecision,
  balancedAccuracy,
  binaryCrossEntropy,
  classificationReport,
  confusion,
  decide,
  DECISION_THRESHOLD,
  f1,
  flipClasses,
  mcc,
  prCurve,
  precision,
  recall,
  rocAuc,
  rocCurve,
  specificity,
} from "../mod.ts";

// scores on a grid, so that 1 - s keeps every tie and every order exactly
const sample = fc.array(
  fc.tuple(
    fc.integer({ min: 0, max: 1 }),
    fc.integer({ min: 0, max: 20 }).map((k) => k / 20),
  ),
  {
    minLength: 1,
    maxLength: 60,
  },
);
const split = (pairs: [number, number][]) => [pairs.map((p) => p[0]), pairs.map((p) => p[1])] as const;

Deno.test("confusion() (d) counts tp, fp, tn, fn with class 1 as positive and 0.5 as cutoff", () => {
  assertEquals(confusion([1, 1, 0, 0, 1], [0.5, 0.2, 0.7, 0.1, 0.9]), {
    tp: 2,
    fp: 1,
    tn: 1,
    fn: 1,
  });
});

Deno.test("metrics on a hand-computed fixture: tp 6, fp 2, tn 1, fn 1", () => {
  const c = { tp: 6, fp: 2, tn: 1, fn: 1 };
  assertEquals(accuracy(c), 0.7);
  assertEquals(precision(c), 0.75);
  assertAlmostEquals(recall(c), 6 / 7);
  assertAlmostEquals(specificity(c), 1 / 3);
  assertAlmostEquals(f1(c), 12 / 15);
  assertAlmostEquals(balancedAccuracy(c), (6 / 7 + 1 / 3) / 2);
  assertAlmostEquals(mcc(c), (6 - 2) / Math.sqrt(8 * 7 * 3 * 2));
});

Deno.test("metrics define every zero-division edge: 0 for ratios and MCC, NaN for ROC-AUC", () => {
  const none = { tp: 0, fp: 0, tn: 0, fn: 0 };
  assertEquals([
    accuracy(none),
    precision(none),
    recall(none),
    specificity(none),
    f1(none),
    mcc(none),
  ], [0, 0, 0, 0, 0, 0]);
  const allPositive = { tp: 98, fp: 2, tn: 0, fn: 0 }; // "always 1"
  assertEquals([
    specificity(allPositive),
    mcc(allPositive),
    balancedAccuracy(allPositive),
  ], [0, 0, 0.5]);
  assertEquals(precision({ tp: 0, fp: 0, tn: 5, fn: 5 }), 0);
  assert(Number.isNaN(rocAuc([1, 1], [0.2, 0.9])), "ROC-AUC without class 0");
  assert(Number.isNaN(rocAuc([], [])), "ROC-AUC of nothing");
  assertEquals(binaryCrossEntropy([], []), 0);
});

Deno.test("rocAuc() counts ties as one half (Mann-Whitney with mid-ranks)", () => {
  assertEquals(rocAuc([0, 1, 0, 1], [0.1, 0.9, 0.5, 0.5]), 0.875);
  assertEquals(rocAuc([0, 1], [0.3, 0.3]), 0.5);
  assertEquals(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]), 1);
});

Deno.test("metric identities hold on any sample", () => {
  fc.assert(fc.property(sample, (pairs) => {
    const [y, p] = split(pairs);
    const c = confusion(y, p);
    assertEquals(c.tp + c.fp + c.tn + c.fn, y.length);
    assertAlmostEquals(balancedAccuracy(c), (recall(c) + specificity(c)) / 2);
    const m = mcc(c);
    assert(m >= -1 - 1e-12 && m <= 1 + 1e-12, `MCC ${m}`);
    const pr = precision(c) + recall(c);
    assertAlmostEquals(
      f1(c),
      pr === 0 ? 0 : (2 * precision(c) * recall(c)) / pr,
    );
    for (
      const v of [accuracy(c), precision(c), recall(c), specificity(c), f1(c)]
    ) assert(v >= 0 && v <= 1, `ratio ${v} outside [0, 1]`);
    const auc = rocAuc(y, p);
    if (!Number.isNaN(auc)) {
      assertAlmostEquals(rocAuc(y, p.map((s) => 1 - s)), 1 - auc, 1e-9);
    }
    assert(binaryCrossEntropy(y, p) >= 0, `negative loss ${binaryCrossEntropy(y, p)}`);
  }));
});

Deno.test("binaryCrossEntropy() (c) is the mean of -log p for class 1 and -log(1-p) for class 0, clipped at 1e-7", () => {
  assertAlmostEquals(
    binaryCrossEntropy([1, 0], [0.8, 0.3]),
    -(Math.log(0.8) + Math.log(0.7)) / 2,
  );
  assertAlmostEquals(binaryCrossEntropy([1], [0]), -Math.log(1e-7));
});

Deno.test("classificationReport() reports every measure of metrics.json", () => {
  const r = classificationReport([1, 0, 1, 1], [0.9, 0.4, 0.6, 0.2]);
  assertEquals(Object.keys(r).sort(), [
    "accuracy",
    "balancedAccuracy",
    "confusion",
    "f1",
    "loss",
    "mcc",
    "precision",
    "recall",
    "rocAuc",
    "specificity",
  ]);
  assertEquals(r.confusion, { tp: 2, fp: 0, tn: 1, fn: 1 });
});

Deno.test("metrics reject mismatched lengths, labels other than 0/1, and NaN scores", () => {
  assertThrows(
    () => confusion([1, 0], [0.5]),
    RangeError,
    "Labels and scores must have the same length, got 2 and 1",
  );
  assertThrows(
    () => rocAuc([2], [0.5]),
    RangeError,
    "Label at index 0 must be 0 or 1, got 2",
  );
  assertThrows(
    () => binaryCrossEntropy([1], [NaN]),
    RangeError,
    "Score at index 0 is NaN",
  );
});

Deno.test("rocCurve() and prCurve() step through distinct thresholds, ties taken together", () => {
  const y = [0, 1, 1, 0, 1];
  const p = [0.1, 0.4, 0.4, 0.4, 0.9];
  const roc = rocCurve(y, p);
  assertEquals(roc.thresholds, [Infinity, 0.9, 0.4, 0.1]);
  assertEquals(roc.x, [0, 0, 0.5, 1]);
  assertEquals(roc.y, [0, 1 / 3, 1, 1]);
  const pr = prCurve(y, p);
  assertEquals(pr.x, [0, 1 / 3, 1, 1]);
  assertEquals(pr.y, [1, 1, 0.75, 0.6]);
  // trapezoids under the ROC steps equal the Mann-Whitney AUC
  let area = 0;
  for (let k = 1; k < roc.x.length; k++) area += ((roc.x[k] - roc.x[k - 1]) * (roc.y[k] + roc.y[k - 1])) / 2;
  assertAlmostEquals(area, rocAuc(y, p));
});

Deno.test("averagePrecision() matches scikit-learn's example and is NaN without positives", () => {
  assertAlmostEquals(averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.8333333333333333);
  assertAlmostEquals(averagePrecision([1, 0, 1], [0.5, 0.5, 0.5]), 2 / 3);
  assert(Number.isNaN(averagePrecision([0, 0], [0.2, 0.3])), "average precision without class 1");
  assertEquals(averagePrecision([0, 1], [0.1, 0.9]), 1);
});

Deno.test("binaryCrossEntropy() with weights is the mean of w·loss", () => {
  assertAlmostEquals(binaryCrossEntropy([1, 0], [0.8, 0.3], [2, 0.5]), -(2 * Math.log(0.8) + 0.5 * Math.log(0.7)) / 2);
  assertThrows(
    () => binaryCrossEntropy([1, 0], [0.8, 0.3], [1]),
    RangeError,
    "Weights must have the labels' length 2, got 1",
  );
});

Deno.test("decide() calls a probability class 1 exactly when it is >= 0.5, as confusion() does", () => {
  assertEquals(DECISION_THRESHOLD, 0.5);
  assertEquals([decide(0), decide(0.4999999), decide(0.5), decide(1)], [0, 0, 1, 1]);
  fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 1 }), (p, y) => {
    assertEquals(decide(p), p >= 0.5 ? 1 : 0);
    const c = confusion([y], [p]);
    assertEquals(c.tp + c.fp, decide(p));
  }));
});

Deno.test("flipClasses() swaps the classes, is its own inverse, and leaves its input alone", () => {
  // scores k / 64: 1 − (1 − s) is then exactly s
  const dyadic = fc.array(
    fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 64 }).map((k) => k / 64)),
    {
      minLength: 1,
      maxLength: 60,
    },
  );
  fc.assert(fc.property(dyadic, (pairs) => {
    const [y, p] = split(pairs);
    const [y0, p0] = [y.slice(), p.slice()];
    const flipped = flipClasses(y, p);
    assertEquals(flipped.y, y.map((v) => 1 - v));
    assertEquals(flipped.p, p.map((v) => 1 - v));
    assertEquals(flipClasses(flipped.y, flipped.p), { y, p });
    assertEquals([y, p], [y0, p0]);
    // class 0's recall is class 1's specificity
    assertEquals(recall(confusion(flipped.y, flipped.p, 0.5 + 1e-9)), specificity(confusion(y, p)));
  }));
});
