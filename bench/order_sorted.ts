/**
 * The order effect at its extremes: a model's accuracy per sum on its boundary set (the report's set, drawn from the
 * model's data seed) with each series' digits sorted ascending (large digits last) and descending (large digits
 * first). A model that counted would be right on every series in either order. Prints one line per order:
 * `sum:accuracy %` for sums 93..104.
 *
 *   deno run --allow-read=models,node_modules bench/order_sorted.ts [model dir]
 * @module
 */
import { readModelDir } from "../src/model_dir/mod.ts";
import { loadOnnx } from "../src/onnx/mod.ts";
import { makeBoundarySet } from "../src/core/boundary.ts";
import { labelOf } from "../src/core/dataset.ts";

const dir = Deno.args[0] ?? "models/lstm-sum";
const { metrics, onnx: bytes, paths } = await readModelDir(dir);
const { seriesLength, dataSeed, threshold } = metrics.config;
const onnx = await loadOnnx(bytes, paths.onnx, { seriesLength });
const set = makeBoundarySet({ seed: dataSeed, seriesLength, threshold });
const count = set.x.length / seriesLength;
const row = (i: number) => Array.from(set.x.subarray(i * seriesLength, (i + 1) * seriesLength));
const sums = Array.from({ length: count }, (_, i) => row(i).reduce((a, b) => a + b, 0));
const orders = { ascending: (a: number, b: number) => a - b, descending: (a: number, b: number) => b - a };
for (const [name, order] of Object.entries(orders)) {
  const x = new Uint8Array(set.x.length);
  for (let i = 0; i < count; i++) x.set(row(i).sort(order), i * seriesLength);
  const p = await onnx.predict(x, seriesLength);
  const right = new Map<number, [number, number]>();
  for (let i = 0; i < count; i++) {
    const tally = right.get(sums[i]) ?? [0, 0];
    tally[0] += Number((p[i] >= 0.5 ? 1 : 0) === labelOf(sums[i], threshold));
    tally[1]++;
    right.set(sums[i], tally);
  }
  const shown = [...right].filter(([sum]) => sum >= 93 && sum <= 104).sort((a, b) => a[0] - b[0]);
  console.log(name, shown.map(([sum, [r, n]]) => `${sum}:${Math.round((100 * r) / n)}`).join(" "));
}
