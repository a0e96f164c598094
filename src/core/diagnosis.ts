/**
 * Why the decision boundary sits where it does: the network's own arithmetic, read from its
 * weights. A float64 LSTM forward pass that also reports its gates and cell states, the
 * logit-against-sum fit that measures how sharp the learned rule is, and the same digits put
 * in another order (a sum does not depend on the order; a network that learnt the rule does
 * not either). Pure: weights in, figures out, no tfjs.
 * @module
 */
import { digitInputs, type InputEncoding, inputWidth } from "./spec.ts";
import { leastSquares } from "./stats.ts";
import { seriesSum } from "./dataset.ts";
import { type BoundarySet, scoreBoundary } from "./boundary.ts";

/** The weights of the exercise's network as plain arrays, in the tf.layers layout (gate order i, f, c, o). */
export interface LstmArrays {
  /** LSTM units H. */
  units: number;
  /** Input kernel `[F, 4H]` (F inputs per step), row-major. */
  kernel: Float32Array;
  /** Recurrent kernel `[H, 4H]`, row-major. */
  recurrentKernel: Float32Array;
  /** Gate bias `[4H]`. */
  bias: Float32Array;
  /** Output kernel `[H, 1]`. */
  denseKernel: Float32Array;
  /** Output bias. */
  denseBias: number;
}

/** What the cells did over a set of series. */
export interface CellStats {
  /** Mean forget-gate activation over every unit, step and series. */
  forgetMean: number;
  /** Share of forget-gate activations below 0.5 (the cell keeps less than half its content). */
  forgetBelowHalf: number;
  /** The largest per-unit mean forget-gate activation: the most persistent cell. */
  forgetUnitMax: number;
  /** Mean |c| over units and series after the last step. */
  cellAbsMean: number;
  /** Largest |c| after the last step. */
  cellAbsMax: number;
  /** Share of |h| > 0.95 after the last step: saturated outputs, which cannot resolve small differences. */
  hiddenSaturated: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Runs the network in float64 and reports its gates and cells.
 *
 * @param w The weights.
 * @param x Digits, row-major `[n, seriesLength]`.
 * @param seriesLength Digits per series.
 * @param scaling How a digit becomes the input: (d − offset) / divisor, or one-hot.
 * @returns P(class 1) per series and the cell statistics.
 * @throws {RangeError} Weights whose sizes do not fit `units`, or digits that do not fill whole series.
 */
export function lstmForward(
  w: LstmArrays,
  x: ArrayLike<number>,
  seriesLength: number,
  scaling: InputEncoding,
): { p: Float64Array; stats: CellStats } {
  const H = w.units;
  const G = 4 * H;
  const F = inputWidth(scaling);
  if (
    w.kernel.length !== F * G || w.recurrentKernel.length !== H * G || w.bias.length !== G ||
    w.denseKernel.length !== H
  ) {
    throw new RangeError(`LSTM weights do not fit ${H} units and ${F} input${F === 1 ? "" : "s"} a step`);
  }
  if (x.length % seriesLength !== 0) {
    throw new RangeError(`Digits must fill whole series of ${seriesLength}, got ${x.length}`);
  }
  const n = x.length / seriesLength;
  const inputs = digitInputs(scaling);
  for (let k = 0; k < x.length; k++) {
    if (!(x[k] in inputs)) throw new RangeError(`Digits must be 0..${inputs.length - 1}, got ${x[k]} at index ${k}`);
  }
  const p = new Float64Array(n);
  const h = new Float64Array(H);
  const c = new Float64Array(H);
  const z = new Float64Array(G);
  const forgetUnit = new Float64Array(H);
  let forgetSum = 0;
  let forgetLow = 0;
  let cellAbs = 0;
  let cellMax = 0;
  let saturated = 0;
  for (let s = 0; s < n; s++) {
    h.fill(0);
    c.fill(0);
    for (let t = 0; t < seriesLength; t++) {
      const input = inputs[x[s * seriesLength + t]];
      z.set(w.bias);
      for (let f = 0; f < F; f++) {
        if (input[f] === 0) continue; // one-hot: one input of ten is set
        for (let j = 0; j < G; j++) z[j] += w.kernel[f * G + j] * input[f];
      }
      for (let k = 0; k < H; k++) {
        const hk = h[k];
        if (hk === 0) continue;
        const row = k * G;
        for (let j = 0; j < G; j++) z[j] += hk * w.recurrentKernel[row + j];
      }
      for (let k = 0; k < H; k++) {
        const f = sigmoid(z[H + k]);
        c[k] = f * c[k] + sigmoid(z[k]) * Math.tanh(z[2 * H + k]);
        h[k] = sigmoid(z[3 * H + k]) * Math.tanh(c[k]);
        forgetSum += f;
        forgetUnit[k] += f;
        if (f < 0.5) forgetLow++;
      }
    }
    let logit = w.denseBias;
    for (let k = 0; k < H; k++) {
      logit += h[k] * w.denseKernel[k];
      cellAbs += Math.abs(c[k]);
      cellMax = Math.max(cellMax, Math.abs(c[k]));
      if (Math.abs(h[k]) > 0.95) saturated++;
    }
    p[s] = sigmoid(logit);
  }
  const gates = n * seriesLength * H;
  return {
    p,
    stats: {
      forgetMean: forgetSum / gates,
      forgetBelowHalf: forgetLow / gates,
      forgetUnitMax: Math.max(...forgetUnit) / (n * seriesLength),
      cellAbsMean: cellAbs / (n * H),
      cellAbsMax: cellMax,
      hiddenSaturated: saturated / (n * H),
    },
  };
}

/**
 * The same series with each one's digits sorted: the sums, hence the labels, do not change.
 *
 * @param x Digits, row-major `[n, seriesLength]`.
 * @param seriesLength Digits per series.
 * @param order `ascending` puts the large digits last, `descending` first.
 * @returns A new array.
 */
export function sortDigits(x: Uint8Array, seriesLength: number, order: "ascending" | "descending"): Uint8Array {
  const out = new Uint8Array(x.length);
  for (let s = 0; s < x.length / seriesLength; s++) {
    const row = Array.from(x.subarray(s * seriesLength, (s + 1) * seriesLength)).sort((a, b) =>
      order === "ascending" ? a - b : b - a
    );
    out.set(row, s * seriesLength);
  }
  return out;
}

/** Probabilities are clamped to [1e-7, 1 − 1e-7] before the logit, as float32 sigmoids saturate there. */
const LOGIT_CLAMP = 1e-7;

/**
 * The logit of a probability, clamped so that saturated outputs stay finite.
 *
 * @param p A probability.
 * @returns log(p / (1 − p)).
 */
export function logit(p: number): number {
  const q = Math.min(Math.max(p, LOGIT_CLAMP), 1 - LOGIT_CLAMP);
  return Math.log(q / (1 - q));
}

/** How sharp the learned rule is: logit(p) ≈ slope · (sum − crossing), and what that line leaves. */
export interface LogitFit {
  /** Change of the logit per unit of sum. */
  slope: number;
  /** The sum where the fitted logit is 0 (p = ½). */
  crossing: number;
  /** Residual standard deviation of the logit about the line. */
  residualSd: number;
  /** The same in units of sum (residualSd / slope): how far the series' own digits blur the boundary. */
  blurSums: number;
  /** Residual sd of the best model additive in position and digit (a weight per position and digit value):
   * what is left is not a per-digit contribution but an interaction between digits. */
  additiveResidualSd: number;
  /** Residual sd of the logit about its mean at each sum: the scatter of series that share a sum. The line's
   * residual is this and the bend of the mean logit against the sum; only this scatter decides how many series
   * of one sum fall on the wrong side of a cut-off. */
  sameSumSd: number;
  /** The same in units of sum (sameSumSd / slope). */
  scatterSums: number;
  /** Residual sd about the mean at each sum plus a weight per digit value, wherever the digit sits: what is
   * left of the same-sum scatter once the digits' unequal contributions (a 9 counting more or less than three
   * 3s) are taken out; the rest depends on where the digits sit and on one another. */
  countsResidualSd: number;
  /** Per digit value 0..9, how much more than its face value it counts, in units of sum, from the weights of
   * {@link LogitFit.countsResidualSd}'s fit, relative to the line through digits 0 and 9 (so those two are 0): at
   * one sum only that bend is defined, as weights a + b·v add the same to every series of the sum. */
  digitExtraSums: number[];
}

/**
 * Fits the logit of p against the sum; then a mean per sum, the same with a weight per digit value, and a
 * model additive in position and digit, to tell the bend of the logit's curve from the scatter of series that
 * share a sum, and that scatter's parts.
 *
 * @param x Digits, row-major `[n, seriesLength]`.
 * @param seriesLength Digits per series.
 * @param p P(class 1) per series.
 * @returns The fit.
 */
export function logitFit(x: Uint8Array, seriesLength: number, p: ArrayLike<number>): LogitFit {
  const n = p.length;
  const y = Array.from(p, logit);
  const sums = Array.from(
    { length: n },
    (_, s) => seriesSum(x.subarray(s * seriesLength, (s + 1) * seriesLength)),
  );
  const line = leastSquares(sums.map((v) => [1, v]), y);
  const [a, slope] = line.coefficients;
  // one weight per (position, digit 1..9), digit 0 the reference, plus an intercept
  const additive = leastSquares(
    Array.from({ length: n }, (_, s) => {
      const row = [1];
      for (let t = 0; t < seriesLength; t++) {
        const d = x[s * seriesLength + t];
        for (let v = 1; v <= 9; v++) row.push(d === v ? 1 : 0);
      }
      return row;
    }),
    y,
  );
  // a mean per sum, then also a weight per digit value 1..8: at one sum, weights a + b·v add the same to every
  // series (their digits count 30 and sum to the sum), so digits 0 and 9 are the reference and weigh 0
  const distinct = [...new Set(sums)].sort((u, v) => u - v);
  const column = new Map(distinct.map((v, k) => [v, k]));
  const perSumRow = (s: number) => {
    const row = new Array<number>(distinct.length).fill(0);
    row[column.get(sums[s])!] = 1;
    return row;
  };
  const sameSum = leastSquares(Array.from({ length: n }, (_, s) => perSumRow(s)), y);
  const counts = leastSquares(
    Array.from({ length: n }, (_, s) => {
      const row = perSumRow(s);
      const c = new Array<number>(8).fill(0);
      for (let t = 0; t < seriesLength; t++) {
        const d = x[s * seriesLength + t];
        if (d > 0 && d < 9) c[d - 1]++;
      }
      return row.concat(c);
    }),
    y,
  );
  return {
    slope,
    crossing: -a / slope,
    residualSd: line.residualSd,
    blurSums: line.residualSd / slope,
    additiveResidualSd: additive.residualSd,
    sameSumSd: sameSum.residualSd,
    scatterSums: sameSum.residualSd / slope,
    countsResidualSd: counts.residualSd,
    digitExtraSums: [0, ...counts.coefficients.slice(distinct.length), 0].map((w) => w / slope),
  };
}

/** The digit orders the diagnosis compares. */
export const DIGIT_ORDERS = ["as drawn", "ascending", "descending"] as const;

/** Everything {@link diagnose} measures on one model. */
export interface Diagnosis {
  /** The sums of the boundary set, ascending. */
  sums: number[];
  /** Series per sum. */
  perSum: number;
  /** logit(p) against the sum, on the set as drawn. */
  fit: LogitFit;
  /** Per digit order: the share right and the mean logit, per sum. */
  orders: { order: typeof DIGIT_ORDERS[number]; accuracy: number[]; meanLogit: number[] }[];
  /** The cells on the first `cellSeries` series of each sum. */
  cells: CellStats & { series: number };
  /** Mean of the learned forget-gate bias over the units. */
  forgetBiasMean: number;
  /** The same set decided by the order mean (`orderMeanFit` in `src/core/orders.ts`), when measured. */
  orderMean?: { orders: number; fit: LogitFit };
}

/**
 * Measures why a model's boundary sits where it does: how sharp and how blurred its logit is
 * against the sum, whether the order of the digits moves it, and what its cells do.
 *
 * @param options The boundary set, a predictor of P(class 1) for digits (e.g. the ONNX model),
 *   the weights, the input scaling, and how many series per sum to run through the cells.
 * @returns The diagnosis.
 */
export async function diagnose(options: {
  set: BoundarySet;
  predict: (x: Uint8Array) => Promise<ArrayLike<number>>;
  weights: LstmArrays;
  scaling: InputEncoding;
  cellSeriesPerSum?: number;
}): Promise<Diagnosis> {
  const { set, predict, weights, scaling } = options;
  const T = set.length;
  const orders: Diagnosis["orders"] = [];
  let fit: LogitFit | undefined;
  for (const order of DIGIT_ORDERS) {
    const x = order === "as drawn" ? set.x : sortDigits(set.x, T, order);
    const p = await predict(x);
    if (order === "as drawn") fit = logitFit(x, T, p);
    const { accuracy } = scoreBoundary({ ...set, x }, p);
    const meanLogit = set.sums.map((_, k) => {
      let total = 0;
      for (let i = k * set.perSum; i < (k + 1) * set.perSum; i++) total += logit(p[i]);
      return total / set.perSum;
    });
    orders.push({ order, accuracy, meanLogit });
  }
  const per = Math.min(options.cellSeriesPerSum ?? 10, set.perSum);
  const rows = set.sums.flatMap((_, k) => Array.from({ length: per }, (_, j) => k * set.perSum + j));
  const sub = new Uint8Array(rows.length * T);
  rows.forEach((r, i) => sub.set(set.x.subarray(r * T, (r + 1) * T), i * T));
  const { stats } = lstmForward(weights, sub, T, scaling);
  const H = weights.units;
  const forgetBiasMean = weights.bias.subarray(H, 2 * H).reduce((a, b) => a + b, 0) / H;
  return {
    sums: set.sums,
    perSum: set.perSum,
    fit: fit!,
    orders,
    cells: { ...stats, series: rows.length },
    forgetBiasMean,
  };
}
