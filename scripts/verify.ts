/**
 * Re-checks a model directory from its files alone: regenerates the validation split from the
 * seed in metrics.json, runs model.onnx with onnxruntime-web, and compares with the recorded
 * metrics.
 *
 *   deno task verify                  # models/lstm-sum
 *   deno task verify --model DIR
 *
 * Exit 0 and a PASS line when everything agrees; exit 1 and a FAIL line naming what differs.
 * @module
 */
import { defineCommand, runCli } from "./args.ts";
import { verifyModelDir } from "../src/onnx/verify.ts";
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
  const { problems, accuracy, size } = await verifyModelDir(dir);
  if (problems.length) {
    console.log(`FAIL ${dir}: ${problems.join("; ")}`);
    Deno.exit(1);
  }
  console.log(
    `PASS ${dir}: model.onnx reproduces validation accuracy ${(100 * accuracy).toFixed(2)} % on ${size} series`,
  );
}, { failures: [ModelDirError, OnnxError] });
