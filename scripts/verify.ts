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
import { parseFlags, runCli } from "./args.ts";
import { verifyModelDir } from "../src/onnx/verify.ts";

await runCli(async () => {
  const { flags, positionals } = parseFlags(Deno.args, {
    model: { type: "string" },
  });
  if (positionals.length) {
    throw new RangeError(`Unexpected argument "${positionals[0]}"`);
  }
  const dir = flags.model ?? "models/lstm-sum";
  const { problems, accuracy, size } = await verifyModelDir(dir);
  if (problems.length) {
    console.log(`FAIL ${dir}: ${problems.join("; ")}`);
    Deno.exit(1);
  }
  console.log(
    `PASS ${dir}: model.onnx reproduces validation accuracy ${(100 * accuracy).toFixed(2)} % on ${size} series`,
  );
});
