/**
 * Prints the exercise's data set, so that Keras or PyTorch can train on the same series.
 *
 *   deno task data                          # training split, CSV, seed 42
 *   deno task data --split validation --format json --seed 7
 *
 * CSV: header `x1,...,x30,label`, then one series per line. JSON: `{"x": [[...30]], "y": [...]}`.
 * The same seed prints the same bytes.
 * @module
 */
import { defineCommand, runCli, writeAll } from "./args.ts";
import { DEFAULT_CONFIG, makeDataset } from "../mod.ts";

/** Formats a split as CSV or JSON text. */
export function formatSplit(
  split: { x: Uint8Array; y: Uint8Array; size: number },
  seriesLength: number,
  format: "csv" | "json",
): string {
  const rows = Array.from(
    { length: split.size },
    (_, n) => Array.from(split.x.subarray(n * seriesLength, (n + 1) * seriesLength)),
  );
  if (format === "json") {
    return JSON.stringify({ x: rows, y: Array.from(split.y) }) + "\n";
  }
  const header = [
    ...Array.from({ length: seriesLength }, (_, t) => `x${t + 1}`),
    "label",
  ].join(",");
  return [header, ...rows.map((r, n) => `${r.join(",")},${split.y[n]}`)].join(
    "\n",
  ) + "\n";
}

const command = defineCommand({
  name: "data",
  summary: "Prints the exercise's data set (one split) as CSV or JSON; the same seed prints the same bytes.",
  flags: {
    seed: { type: "int", min: 0, max: 0xffff_ffff, default: DEFAULT_CONFIG.seed, help: "seed of the data set" },
    split: { type: "enum", values: ["train", "validation"], default: "train", help: "which split to print" },
    format: { type: "enum", values: ["csv", "json"], default: "csv", help: "output format" },
  },
  examples: ["", "--split validation --format json --seed 7"],
});

if (import.meta.main) {
  await runCli(command, async ({ flags }) => {
    const data = makeDataset({ seed: flags.seed });
    const split = flags.split === "validation" ? data.validation : data.train;
    const text = formatSplit(split, data.seriesLength, flags.format);
    try {
      await writeAll(Deno.stdout, text);
    } catch (error) {
      if (!(error instanceof Deno.errors.BrokenPipe)) throw error; // `| head` closed the pipe: fine
    }
  });
}
