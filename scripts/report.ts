/**
 * Writes deliverable 2 as report.md and SVG figures from a trained model directory (and the
 * imbalance study's results when present). It trains nothing.
 *
 *   deno task report                                    # models/lstm-sum + models/study -> models/report
 *   deno task report --model DIR --study DIR --out DIR
 * @module
 */
import { defineCommand, runCli } from "./args.ts";
import { buildReport } from "../src/report/report.ts";
import { loadOnnx, OnnxError } from "../src/onnx/runtime.ts";
import { writeFileAtomic } from "../src/io/atomic.ts";
import {
  DEFAULT_MODEL_DIR,
  DEFAULT_REPORT_DIR,
  DEFAULT_STUDY_DIR,
  hasStudyResults,
  ModelDirError,
  readModelDir,
  readStudyDir,
  tfjsWeightArrays,
} from "../src/model_dir/mod.ts";
import { diagnose } from "../src/core/diagnosis.ts";
import { makeBoundarySet } from "../src/core/boundary.ts";
import { ORDER_MEAN_COUNT, orderMeanFit, orderMeanSeed } from "../src/core/orders.ts";
import { archOf, INPUT_SCALING } from "../src/core/spec.ts";
import { VARIANT_NAMES } from "../src/study/variants.ts";
import { planRuns, PLANS, runName } from "../src/core/plan.ts";
import { readRunRecord, RunFileError, type RunRecord } from "../src/runner/record.ts";
import { summarizePlan } from "../src/runner/summary.ts";
import type { PlanSummaries } from "../src/report/plans.ts";
import { datasetFor } from "../mod.ts";

const command = defineCommand({
  name: "report",
  summary: "Writes deliverable 2 (report.md and SVG figures) from a trained model and the imbalance study.",
  flags: {
    model: { type: "string", arg: "DIR", default: DEFAULT_MODEL_DIR, help: "the model directory" },
    study: { type: "string", arg: "DIR", default: DEFAULT_STUDY_DIR, help: "the study's results (optional)" },
    out: { type: "string", arg: "DIR", default: DEFAULT_REPORT_DIR, help: "where to write the report" },
    runs: {
      type: "string",
      arg: "DIR",
      default: "models/runs",
      help: "the runner's run files (optional): spec, spec-data42, imbalance and boundary plans",
    },
  },
});

await runCli(command, async ({ flags }) => {
  const dir = flags.model;
  const studyDir = flags.study;
  const out = flags.out;
  const { metrics, history, onnx: bytes, paths, tfjs } = await readModelDir(dir);
  const config = metrics.config;
  const data = datasetFor(config);
  const onnx = await loadOnnx(bytes, paths.onnx, { seriesLength: config.seriesLength });
  const probabilities = await onnx.predict(data.validation.x, config.seriesLength);
  // the training split's probabilities, to choose a decision cut-off on training alone
  const trainProbabilities = await onnx.predict(data.train.x, config.seriesLength);
  // why the boundary sits where it does: the boundary set in three digit orders, and the cells
  // and the same set decided by the order mean, over the orders the runner's run files use
  const set = makeBoundarySet({
    seed: config.dataSeed,
    seriesLength: config.seriesLength,
    threshold: config.threshold,
  });
  const predictDigits = (x: Uint8Array) => onnx.predict(x, config.seriesLength);
  const diagnosis = archOf(config) !== "lstm" ? undefined : {
    ...await diagnose({
      set,
      predict: predictDigits,
      weights: tfjsWeightArrays(tfjs, paths.tfjsModel),
      scaling: INPUT_SCALING[config.inputScaling],
    }),
    orderMean: {
      orders: ORDER_MEAN_COUNT,
      fit: await orderMeanFit(set.x, config.seriesLength, predictDigits, orderMeanSeed(config.dataSeed)),
    },
  };
  await onnx.release();
  // whichever runs of the default plan exist (deno task runs --plan default): the shipped config over seeds
  const seedRuns: RunRecord[] = [];
  for (const run of planRuns(PLANS.default)) {
    try {
      seedRuns.push(await readRunRecord(`${flags.runs}/${runName(run)}`));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  console.log(`${seedRuns.length} of ${PLANS.default.seeds.length} runs of the default plan found in ${flags.runs}`);
  // the multi-seed plans, from whichever run files exist
  const summary = (name: string) => summarizePlan({ runs: planRuns(PLANS[name]), outDir: flags.runs });
  const plans: PlanSummaries = {
    spec: await summary("spec"),
    specData42: await summary("spec-data42"),
    imbalance: await summary("imbalance"),
    boundary: await summary("boundary"),
    archs: await summary("archs"),
    // the default plan's runs as an arm, paired with the spec plan's on the same seeds
    defaultVsSpec: await summarizePlan({
      runs: [
        ...planRuns(PLANS.spec).map((run) => ({ ...run, arm: "spec" })),
        ...planRuns(PLANS.default).map((run) => ({ ...run, arm: "default" })),
      ],
      outDir: flags.runs,
    }),
  };
  for (const [name, s] of Object.entries(plans)) console.log(`plan ${name}: ${s.present.length} of ${s.total} runs`);
  let study;
  let studyProbabilities;
  if (await hasStudyResults(studyDir)) {
    ({ results: study, probabilities: studyProbabilities } = await readStudyDir(studyDir, VARIANT_NAMES));
  } else {
    console.log(`no study results in ${studyDir}: the report leaves the study out (run deno task study)`);
  }
  if (!metrics.boundary) {
    console.log(`no boundary section in ${paths.metrics}: the report leaves the decision boundary out`);
  }
  const files = buildReport({
    metrics,
    history,
    data,
    probabilities,
    study,
    studyProbabilities,
    boundary: metrics.boundary,
    seedRuns,
    trainProbabilities,
    diagnosis,
    plans,
  });
  for (const [name, text] of Object.entries(files)) await writeFileAtomic(`${out}/${name}`, text);
  console.log(`wrote ${Object.keys(files).map((f) => `${out}/${f}`).join(", ")}`);
}, { failures: [ModelDirError, OnnxError, RunFileError] });
