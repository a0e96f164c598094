/**
 * Runs the exported model on series from the shell.
 *
 *   deno task predict 4,7,1,9,0,3,8,2,5,6,1,1,9,0,4,4,2,7,3,8,6,5,0,9,1,2,3,7,8,6
 *   deno task predict --file series.csv               # the CSV `deno task data` writes
 *   deno task predict --model DIR --file series.csv
 *
 * Prints `probability class` per series; with a labelled file, then the accuracy.
 * Bad input: exit 2 with a message naming the line and column.
 * @module
 */
import { parseFlags, runCli, UsageError } from "./args.ts";
import { InputError, parseCsv, parseDigits } from "../src/core/input.ts";
import { loadServedModel, serialRunner } from "../src/serve/model.ts";

await runCli(async () => {
  const { flags, positionals } = parseFlags(Deno.args, { model: { type: "string" }, file: { type: "string" } });
  if ((flags.file ? 1 : 0) + positionals.length !== 1) {
    throw new UsageError("Give either 30 comma-separated digits or --file FILE.csv");
  }
  let rows: number[][];
  let labels: number[] | undefined;
  try {
    if (flags.file) {
      let text: string;
      try {
        text = await Deno.readTextFile(flags.file);
      } catch (e) {
        throw new InputError(`Cannot read ${flags.file}: ${(e as Error).message}`);
      }
      ({ rows, labels } = parseCsv(text, flags.file));
    } else {
      rows = [parseDigits(positionals[0])];
    }
  } catch (e) {
    if (e instanceof InputError) throw new UsageError(e.message);
    throw e;
  }
  const model = await loadServedModel(flags.model ?? "models/lstm-sum");
  const p = await serialRunner(model)(rows);
  await model.onnx.release();
  const lines = Array.from(p, (v) => `${v.toFixed(6)} ${v >= 0.5 ? 1 : 0}`);
  console.log(lines.join("\n"));
  if (labels) {
    const hits = labels.filter((y, n) => (p[n] >= 0.5 ? 1 : 0) === y).length;
    console.log(`accuracy ${(100 * hits / labels.length).toFixed(2)} % (${hits}/${labels.length})`);
  }
});
