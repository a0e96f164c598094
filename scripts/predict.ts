/**
 * Runs the exported model on series from the shell.
 *
 *   deno task predict 4,7,1,9,0,3,8,2,5,6,1,1,9,0,4,4,2,7,3,8,6,5,0,9,1,2,3,7,8,6
 *   deno task predict --file series.csv               # the CSV `deno task data` writes
 *   deno task predict --model DIR --file series.csv
 *
 * Prints `probability class` per series; with a labelled file, then the accuracy.
 * Bad input: exit 2 with a message naming the line and column. `--help` lists the flags.
 * @module
 */
import { asUsageError, defineCommand, runCli, UsageError, writeAll } from "./args.ts";
import { InputError, parseCsv, parseDigits } from "../src/core/input.ts";
import { decide } from "../src/core/metrics.ts";
import { SPEC } from "../src/core/spec.ts";
import { loadServedModel, serialRunner } from "../src/serve/model.ts";
import { DEFAULT_MODEL_DIR, ModelDirError } from "../src/model_dir/mod.ts";
import { OnnxError } from "../src/onnx/runtime.ts";

const command = defineCommand({
  name: "predict",
  summary:
    "Runs the exported model on series: prints `probability class` per series, then the accuracy for a labelled CSV.",
  flags: {
    model: { type: "string", arg: "DIR", default: DEFAULT_MODEL_DIR, help: "the model directory" },
    file: { type: "string", arg: "FILE", help: "a CSV as `deno task data` writes it; - reads standard input" },
  },
  positionals: {
    name: "DIGITS",
    help: `one series: ${SPEC.seriesLength} comma-separated digits (or give --file)`,
    min: 0,
    max: 1,
  },
  examples: ["4,7,1,9,0,3,8,2,5,6,1,1,9,0,4,4,2,7,3,8,6,5,0,9,1,2,3,7,8,6", "--file val.csv", "--file - < val.csv"],
});

async function readInput(file: string): Promise<string> {
  if (file !== "-") return await Deno.readTextFile(file);
  return await new Response(Deno.stdin.readable).text();
}

await runCli(command, async ({ flags, positionals }) => {
  if ((flags.file === undefined ? 0 : 1) + positionals.length !== 1) {
    throw new UsageError(`Give either ${SPEC.seriesLength} comma-separated digits or --file FILE.csv`);
  }
  let rows: number[][];
  let labels: number[] | undefined;
  // The input checks throw InputError; at this boundary they are the user's mistake (exit 2).
  if (flags.file !== undefined) {
    const name = flags.file === "-" ? "standard input" : flags.file;
    const text = await readInput(flags.file);
    ({ rows, labels } = asUsageError(() => parseCsv(text, name), InputError));
    // onnxruntime aborts on an empty batch: stop here
    if (rows.length === 0) throw new UsageError(`${name} holds a header but no series`);
  } else {
    rows = [asUsageError(() => parseDigits(positionals[0]), InputError)];
  }
  const model = await loadServedModel(flags.model);
  const p = await serialRunner(model)(rows);
  await model.onnx.release();
  const lines = Array.from(p, (v) => `${v.toFixed(6)} ${decide(v)}`);
  if (labels) {
    const hits = labels.filter((y, n) => decide(p[n]) === y).length;
    lines.push(`accuracy ${(100 * hits / labels.length).toFixed(2)} % (${hits}/${labels.length})`);
  }
  await writeAll(Deno.stdout, lines.join("\n") + "\n");
}, { failures: [ModelDirError, OnnxError] });
