/**
 * How far more orders take the order mean: a model's same-sum scatter on its boundary set (the report's set, drawn
 * from the model's data seed) for one order and for the order mean over 4, 16 (the runner's and the report's), 64 and
 * 256 fixed orders (`orderMeanFit`), with each digit value's count beyond its face value (`digitExtraSums`). Prints
 * one line per count: orders, blur, same-sum scatter (both in sums), and the extra counts of digits 0..9.
 *
 *   deno run --allow-read=models,node_modules bench/order_mean_count.ts [model dir]
 * @module
 */
import { readModelDir } from "../src/model_dir/mod.ts";
import { loadOnnx } from "../src/onnx/mod.ts";
import { makeBoundarySet } from "../src/core/boundary.ts";
import { orderMeanFit, orderMeanSeed } from "../src/core/orders.ts";
import { type LogitFit, logitFit } from "../src/core/diagnosis.ts";

const dir = Deno.args[0] ?? "models/lstm-sum";
const { metrics, onnx: bytes, paths } = await readModelDir(dir);
const { seriesLength, dataSeed, threshold } = metrics.config;
const onnx = await loadOnnx(bytes, paths.onnx, { seriesLength });
const set = makeBoundarySet({ seed: dataSeed, seriesLength, threshold });
const predict = (x: Uint8Array) => onnx.predict(x, seriesLength);
const line = (orders: number, f: LogitFit) =>
  console.log(
    [orders, f.blurSums.toFixed(3), f.scatterSums.toFixed(3), ...f.digitExtraSums.map((e) => e.toFixed(2))].join("\t"),
  );
console.log(["orders", "blur", "scatter", ...Array.from({ length: 10 }, (_, v) => `extra ${v}`)].join("\t"));
line(1, logitFit(set.x, seriesLength, await predict(set.x)));
for (const count of [4, 16, 64, 256]) {
  line(count, await orderMeanFit(set.x, seriesLength, predict, orderMeanSeed(dataSeed), count));
}
