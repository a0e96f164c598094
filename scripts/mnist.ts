/**
 * Trains one network of exercise H6.1 (MNIST) and writes its run directory.
 *
 *   deno run --allow-read --allow-write=models scripts/mnist.ts --model linear                 # (a): 10,000 iterations
 *   deno run --allow-read --allow-write=models scripts/mnist.ts --model cnn --iterations 200 --out models/tmp-cnn
 *   deno run --allow-read --allow-write=models scripts/mnist.ts --model mlp --bias-init 0.1    # see --help
 *   deno run --allow-read=node_modules,models scripts/mnist.ts --verify models/mnist-linear     # re-check a run
 *
 * Flags: `--help` (generated from the table below). Writes a checkpoint every 1,000 iterations
 * and on Ctrl-C (exit 130); `--resume` goes on from it with the same bytes as an uninterrupted run.
 * The run directory gets model.onnx, cross-checked against tf.layers on every test image (one
 * `onnx:` line; exit 1 when it fails, after writing). `--verify DIR` re-runs a run directory's
 * model.onnx on its test split and prints one PASS/FAIL line per check (exit 1 on any FAIL).
 * Exit 2 on a bad flag, 1 on an I/O failure.
 * @module
 */
import { asUsageError, defineCommand, runCli, UsageError } from "./args.ts";
import { pct } from "../src/core/format.ts";
import { ModelDirError } from "../src/model_dir/errors.ts";
import { OnnxError } from "../src/onnx/runtime.ts";
import { loadMnist } from "../src/mnist/data.ts";
import { verifyMnistRun } from "../src/mnist/verify.ts";
import {
  checkMnistRunTarget,
  defaultMnistRunDir,
  mnistRunPaths,
  readMnistCheckpoint,
  removeMnistCheckpoint,
  writeMnistCheckpoint,
  writeMnistRun,
} from "../src/mnist/run_dir.ts";
import { H61, MNIST_MODELS, type MnistOverrides, resolveMnistConfig } from "../src/mnist/spec.ts";
import { type MnistProgress, MnistTrainingInterrupted, trainMnist } from "../src/mnist/train.ts";

const command = defineCommand({
  name: "mnist",
  summary:
    "Trains one network of exercise H6.1 on MNIST and writes its run directory (metrics.json, history.json, tfjs/).",
  flags: {
    model: {
      type: "enum",
      values: MNIST_MODELS,
      help: "the network (required): linear (a), mlp (b), mlp-dropout (c) or cnn (d)",
    },
    iterations: {
      type: "int",
      min: 1,
      max: 10_000_000,
      help:
        `updates of ${H61.batchSize} images (default: the spec's, ${H61.linear.iterations} for linear, ${H61.mlp.iterations} for the others)`,
    },
    seed: {
      type: "int",
      min: 0,
      max: 0xffff_ffff,
      default: 42,
      help: "seed of the split, the weights, the batch order and dropout",
    },
    out: { type: "string", arg: "DIR", help: "the run directory, under models/ (default: models/mnist-MODEL)" },
    "bias-init": {
      type: "string",
      arg: "X",
      help:
        `the constant every bias of (b)-(d) starts at (default ${H61.init.bias}, the exercise's; with it the MLP's ` +
        "hidden layers 2 and 3 and the CNN's convolutions output only zeros at the start, so nothing but the output bias learns)",
    },
    resume: { type: "bool", help: "go on from the checkpoint an interrupted run into --out left" },
    verify: {
      type: "string",
      arg: "DIR",
      help: "train nothing: re-run DIR's model.onnx on its test split and check the recorded accuracy and " +
        "confusion matrix (exit 1 on any FAIL)",
    },
    quiet: { type: "bool", help: "print only the final line" },
  },
  examples: [
    "--model linear",
    "--model cnn --iterations 200 --out models/tmp-cnn",
    "--model mlp-dropout --bias-init 0.1",
    "--verify models/mnist-linear",
  ],
});

/**
 * Checks that a run directory lies under models/ (relative, no `..`), as the write permission allows.
 *
 * @param out The --out value.
 * @returns The directory without trailing slashes.
 * @throws {UsageError} Any other path.
 */
function checkOut(out: string): string {
  const d = out.replace(/\/+$/, "");
  const parts = d.split("/");
  if (parts[0] !== "models" || parts.length < 2 || parts.some((p) => p === "" || p === "." || p === "..")) {
    throw new UsageError(`Flag --out must be a directory under models/, got ${JSON.stringify(out)}`);
  }
  return d;
}

function reporter(quiet: boolean) {
  return (p: MnistProgress) => {
    if (quiet || p.kind !== "evaluation") return;
    const r = p.record;
    const eta = r.iteration > 0 ? (r.seconds / r.iteration) * (p.iterations - r.iteration) : NaN;
    console.log(
      `iteration ${r.iteration}/${p.iterations}  batch ${pct(r.batchAccuracy)}  test ${pct(r.testAccuracy)}  ` +
        `test loss ${r.testLoss.toFixed(4)}  ${r.seconds.toFixed(1)} s${
          Number.isFinite(eta) ? `  ETA ${Math.round(eta)} s` : ""
        }`,
    );
  };
}

/** `--verify DIR`: one PASS/FAIL line per check, then one for the directory; exit 1 on any FAIL. */
async function verify(dir: string, quiet: boolean): Promise<void> {
  const { checks, ok, accuracy, size } = await verifyMnistRun(dir);
  if (!quiet) { for (const c of checks) console.log(`${c.ok ? "PASS" : "FAIL"} ${c.name}: ${c.detail}`); }
  if (!ok) {
    console.log(`FAIL ${dir}: ${checks.filter((c) => !c.ok).length} of ${checks.length} checks failed`);
    Deno.exit(1);
  }
  console.log(
    `PASS ${dir}: model.onnx reproduces the recorded test accuracy ${
      pct(accuracy)
    } and confusion matrix on ${size} images`,
  );
}

await runCli(command, async ({ flags }) => {
  if (flags.verify !== undefined) {
    const given = [
      ...(["model", "iterations", "out", "bias-init"] as const).filter((f) => flags[f] !== undefined),
      ...(flags.resume ? ["resume"] : []),
    ];
    if (given.length) throw new UsageError(`Flag --verify trains nothing: drop --${given.join(", --")}`);
    return await verify(flags.verify, flags.quiet);
  }
  if (flags.model === undefined) throw new UsageError(`Flag --model is required: one of ${MNIST_MODELS.join(", ")}`);
  const out = checkOut(flags.out ?? defaultMnistRunDir(flags.model));
  const overrides: MnistOverrides = { model: flags.model, seed: flags.seed };
  if (flags.iterations !== undefined) overrides.iterations = flags.iterations;
  if (flags["bias-init"] !== undefined) {
    const raw = flags["bias-init"];
    const value = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(raw) ? Number(raw) : NaN;
    if (!Number.isFinite(value)) throw new UsageError(`Flag --bias-init must be a number, got ${JSON.stringify(raw)}`);
    overrides.biasInit = value;
  }
  const config = asUsageError(() => resolveMnistConfig(overrides), RangeError, TypeError);
  await checkMnistRunTarget(out).catch((error) => {
    if (error instanceof ModelDirError && !(error.cause instanceof Error)) {
      throw new UsageError(error.message, { cause: error });
    }
    throw error;
  });
  const checkpoint = await readMnistCheckpoint(out).catch((error) => {
    if (error instanceof RangeError || error instanceof TypeError) {
      throw new UsageError(error.message, { cause: error });
    }
    throw error;
  });
  if (checkpoint && !flags.resume) {
    throw new UsageError(
      `An interrupted run left ${mnistRunPaths(out).checkpoint}: add --resume to go on from it, or remove it`,
    );
  }
  if (flags.resume && !checkpoint) {
    throw new UsageError(`Flag --resume needs the checkpoint ${mnistRunPaths(out).checkpoint}, which does not exist`);
  }
  if (checkpoint) {
    const was = checkpoint.config as unknown as Record<string, unknown>;
    const now = config as unknown as Record<string, unknown>;
    const diff = Object.keys(now).filter((k) => JSON.stringify(was[k]) !== JSON.stringify(now[k]));
    if (diff.length) {
      const what = diff.map((k) => `${k} ${JSON.stringify(was[k])} there, ${JSON.stringify(now[k])} here`).join("; ");
      throw new UsageError(`The checkpoint ${mnistRunPaths(out).checkpoint} was made with another config (${what})`);
    }
  }
  if (!flags.quiet) {
    const from = checkpoint ? ` (resuming after iteration ${checkpoint.iteration})` : "";
    console.log(
      `training ${config.model}: ${config.iterations} iterations of ${config.batchSize}, seed ${config.seed}, ` +
        `${config.trainSize}/${config.testSize} train/test images -> ${out}${from}`,
    );
  }
  // Ctrl-C: stop after the current update and write a checkpoint; a second one exits at once
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) Deno.exit(130);
    controller.abort();
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  const images = await loadMnist();
  let result;
  try {
    result = await trainMnist({
      config,
      images,
      resume: checkpoint,
      signal: controller.signal,
      onProgress: reporter(flags.quiet),
      onCheckpoint: (state) => writeMnistCheckpoint(out, state),
    });
  } catch (error) {
    if (!(error instanceof MnistTrainingInterrupted)) throw error;
    console.error(
      `interrupted after ${error.state.iteration} iterations: checkpoint in ${mnistRunPaths(out).checkpoint}; ` +
        `go on with the same flags and --resume`,
    );
    Deno.exit(130);
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
  const { metrics: m, problems } = await writeMnistRun(out, result, { images });
  await removeMnistCheckpoint(out);
  result.model.dispose();
  const onnx = m.onnx!;
  if (!flags.quiet) {
    console.log(
      `onnx: model.onnx on ${m.test.size} test images: accuracy ${pct(onnx.accuracy)}, ` +
        `max |p_onnx - p_tfjs| ${onnx.maxAbsDiff.toExponential(2)}, decisions agree: ${onnx.decisionsAgree}`,
    );
  }
  if (problems.length) {
    console.error(`error: ONNX cross-check failed: ${problems.join("; ")} (the run is written to ${out})`);
    Deno.exit(1);
  }
  console.log(
    `final: train accuracy ${pct(m.train.accuracy)}, test accuracy ${pct(m.test.accuracy)}, ` +
      `${m.parameters} parameters, ${m.seconds.toFixed(1)} s -> ${out}`,
  );
}, { failures: [ModelDirError, OnnxError] });
