/**
 * Writes item (e) of exercise H6.1 (report.md, accuracy.svg, confusion.svg) from whichever MNIST run
 * directories exist; a model without one is listed as not trained. It trains nothing.
 *
 *   deno run --allow-read=models --allow-write=models scripts/mnist_report.ts      # models/mnist-* -> models/mnist-report
 *   deno run --allow-read=models --allow-write=models scripts/mnist_report.ts --runs models --out models/mnist-report
 *
 * The report directory is written whole: staged beside it, then renamed into place, so it is either the
 * old report or the new one. A directory that holds anything but the report's files is refused (exit 2).
 * @module
 */
import { defineCommand, runCli, UsageError } from "./args.ts";
import { pathExists, swapIntoPlace } from "../src/io/atomic.ts";
import { siblingPaths } from "../src/model_dir/layout.ts";
import { ModelDirError } from "../src/model_dir/errors.ts";
import { buildMnistReport, type MnistReportRun } from "../src/mnist/report.ts";
import { mnistRunDirIn, readMnistHistory, readMnistMetrics } from "../src/mnist/run_dir.ts";
import { MNIST_MODELS } from "../src/mnist/spec.ts";

/** The entries the report directory may hold: the files {@link buildMnistReport} writes. */
const REPORT_ENTRIES = ["report.md", "accuracy.svg", "confusion.svg"];

const command = defineCommand({
  name: "mnist-report",
  summary: "Writes H6.1 item (e), report.md and SVG figures, from the MNIST run directories that exist.",
  flags: {
    runs: {
      type: "string",
      arg: "DIR",
      default: "models",
      help: "the folder holding the run directories mnist-linear, mnist-mlp, mnist-mlp-dropout, mnist-cnn",
    },
    out: { type: "string", arg: "DIR", default: "models/mnist-report", help: "where to write the report" },
  },
  examples: ["", "--runs models --out models/mnist-report"],
});

/** Reads a run's metrics.json and history.json, each checked field by field (a bad one fails naming the file and field). */
async function readRun(dir: string): Promise<MnistReportRun["files"]> {
  return { metrics: await readMnistMetrics(dir), history: await readMnistHistory(dir) };
}

/** Refuses a target that is a file or holds entries other than the report's. */
async function checkTarget(out: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(out);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  if (!info.isDirectory) throw new UsageError(`${out} is a file, not a report directory`);
  const foreign: string[] = [];
  for await (const e of Deno.readDir(out)) if (!REPORT_ENTRIES.includes(e.name)) foreign.push(e.name);
  if (foreign.length) {
    throw new UsageError(
      `${out} holds entries that are not the report's (${
        foreign.sort().slice(0, 5).join(", ")
      }): choose a new or empty directory`,
    );
  }
}

await runCli(command, async ({ flags }) => {
  const out = flags.out.replace(/\/+$/, "");
  await checkTarget(out);
  const runs: MnistReportRun[] = [];
  for (const model of MNIST_MODELS) {
    const dir = mnistRunDirIn(flags.runs, model);
    if (await pathExists(dir)) {
      runs.push({ model, dir, files: await readRun(dir) });
      console.log(`${model}: ${dir}`);
    } else {
      runs.push({ model, dir });
      console.log(`not trained: ${model} (${dir})`);
    }
  }
  const files = buildMnistReport({ runs });
  const s = siblingPaths(out);
  try {
    await Deno.remove(s.staging, { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
    await Deno.mkdir(s.staging, { recursive: true });
    for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(`${s.staging}/${name}`, text);
    await swapIntoPlace(s.staging, out, { old: s.old });
  } catch (error) {
    await Deno.remove(s.staging, { recursive: true }).catch(() => {});
    throw error;
  }
  console.log(`wrote ${Object.keys(files).map((f) => `${out}/${f}`).join(", ")}`);
}, { failures: [ModelDirError] });
