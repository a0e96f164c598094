/**
 * Writes deliverable 2 as report.md and SVG figures from a trained model directory (and the
 * imbalance study's results when present). It trains nothing.
 *
 *   deno task report                                    # models/lstm-sum + models/study -> models/report
 *   deno task report --model DIR --study DIR --out DIR
 * @module
 */
import { parseFlags, runCli } from "./args.ts";
import { buildReport } from "../src/report/report.ts";
import { loadOnnxFile } from "../src/onnx/runtime.ts";
import { writeFileAtomic } from "../src/io/atomic.ts";
import { datasetFor, resolveConfig } from "../mod.ts";

async function readJson(path: string) {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new Error(`Cannot read ${path}: ${(e as Error).message}`);
  }
}

await runCli(async () => {
  const { flags, positionals } = parseFlags(Deno.args, {
    model: { type: "string" },
    study: { type: "string" },
    out: { type: "string" },
  });
  if (positionals.length) throw new RangeError(`Unexpected argument "${positionals[0]}"`);
  const dir = flags.model ?? "models/lstm-sum";
  const studyDir = flags.study ?? "models/study";
  const out = flags.out ?? "models/report";
  const metrics = await readJson(`${dir}/metrics.json`);
  const history = await readJson(`${dir}/history.json`);
  const config = resolveConfig(metrics.config);
  const data = datasetFor(config);
  const onnx = await loadOnnxFile(`${dir}/model.onnx`, config.seriesLength);
  const probabilities = await onnx.predict(data.validation.x, config.seriesLength);
  await onnx.release();
  let study;
  let studyProbabilities;
  try {
    study = JSON.parse(await Deno.readTextFile(`${studyDir}/results.json`));
    studyProbabilities = JSON.parse(await Deno.readTextFile(`${studyDir}/probabilities.json`));
  } catch {
    console.log(`no study results in ${studyDir}: the report leaves the study out (run deno task study)`);
  }
  const files = buildReport({ metrics, history, data, probabilities, study, studyProbabilities });
  for (const [name, text] of Object.entries(files)) await writeFileAtomic(`${out}/${name}`, text);
  console.log(`wrote ${Object.keys(files).map((f) => `${out}/${f}`).join(", ")}`);
});
