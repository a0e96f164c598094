/**
 * Re-checks a model directory from its files alone: regenerates the validation split from the
 * seed in metrics.json, runs model.onnx with onnxruntime-web, and compares with the recorded
 * metrics; then redraws the recorded boundary set, scores model.onnx on it and compares every
 * boundary figure with the recorded one, and prints them.
 *
 *   deno task verify                  # models/lstm-sum
 *   deno task verify --model DIR
 *
 * Exit 0 and a PASS line when everything agrees; exit 1 and a FAIL line naming what differs.
 * @module
 */
import { defineCommand, runCli } from "./args.ts";
import { verifyModelDir } from "../src/onnx/verify.ts";
import { boundaryFigures } from "../src/onnx/boundary.ts";
import { OnnxError } from "../src/onnx/runtime.ts";
import { DEFAULT_MODEL_DIR, ModelDirError } from "../src/model_dir/mod.ts";

const command = defineCommand({
  name: "verify",
  summary: "Re-checks a model directory from its files alone: model.onnx must reproduce the recorded metrics.",
  flags: {
    model: { type: "string", arg: "DIR", default: DEFAULT_MODEL_DIR, help: "the model directory" },
  },
});

await runCli(command, async ({ flags }) => {
  const dir = flags.model;
  const { problems, accuracy, size, boundary } = await verifyModelDir(dir);
  if (boundary) {
    const { sums } = boundary.scores;
    console.log(
      `boundary of model.onnx (seed ${boundary.seed}, ${boundary.perSum} series per sum, sums ${sums[0]}..${
        sums[sums.length - 1]
      }):`,
    );
    for (const [label, value] of boundaryFigures(boundary.scores, boundary.threshold)) {
      console.log(`  ${label.padEnd(56)} ${value}`);
    }
  } else {
    console.log(`no boundary section in ${dir}/metrics.json (written before it was recorded): not checked`);
  }
  if (problems.length) {
    console.log(`FAIL ${dir}: ${problems.join("; ")}`);
    Deno.exit(1);
  }
  console.log(
    `PASS ${dir}: model.onnx reproduces validation accuracy ${(100 * accuracy).toFixed(2)} % on ${size} series` +
      (boundary ? ` and the recorded boundary figures on ${boundary.scores.sums.length * boundary.perSum} series` : ""),
  );
}, { failures: [ModelDirError, OnnxError] });
