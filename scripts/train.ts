/**
 * Trains the exercise's LSTM and writes the model directory.
 *
 *   deno task train                       # the spec: 60 epochs, seed 42, fast trainer
 *   deno task train --epochs 1 --out models/tmp-m   # models/tmp-* is git-ignored
 *   deno task train --trainer reference   # tf.layers + autodiff, about 7x slower
 *
 * Flags: `deno task train --help` (generated from the table below). Checks --out before any
 * work, writes a checkpoint after every epoch, cross-checks model.onnx with onnxruntime-web,
 * then writes the whole directory at once (metrics.json, history.json, tfjs/, model.onnx). Ctrl-C
 * stops after the current batch with a checkpoint (exit 130); `--resume` goes on from it.
 * Exit 2 on a bad flag or a refused --out, 1 on a failed check or an I/O failure.
 * @module
 */
import { asUsageError, defineCommand, isIoError, runCli, UsageError } from "./args.ts";
import {
  closeKernelWorkers,
  prepareRun,
  type Progress,
  type RunPlan,
  setKernelThreads,
  TrainingInterrupted,
  trainModelDir,
} from "../src/train/mod.ts";
import { checkpointPath, DEFAULT_MODEL_DIR, ModelDirError } from "../src/model_dir/mod.ts";
import { OnnxError } from "../src/onnx/runtime.ts";
import {
  type Arch,
  ARCHS,
  DEFAULT_CONFIG,
  INPUT_SCALING,
  type InputScaling,
  type Matmul,
  MATMULS,
  optionalChoices,
  resolveConfig,
  type TrainConfig,
} from "../src/core/spec.ts";
import { pct } from "../src/core/format.ts";

function reporter(quiet: boolean) {
  const encoder = new TextEncoder();
  const tty = Deno.stderr.isTerminal();
  let totalSeconds = 0;
  return (p: Progress) => {
    if (quiet) return;
    if (p.kind === "batch") {
      if (!tty || (p.batch % 4 !== 0 && p.batch !== p.batches)) return;
      const width = 30;
      const done = Math.round((width * p.batch) / p.batches);
      const bar = "=".repeat(done) + " ".repeat(width - done);
      Deno.stderr.writeSync(
        encoder.encode(
          `\repoch ${p.epoch}/${p.epochs} [${bar}] ${p.batch}/${p.batches} loss ${p.loss.toFixed(4)}`,
        ),
      );
      return;
    }
    const r = p.record;
    totalSeconds += r.seconds;
    const eta = (totalSeconds / r.epoch) * (p.epochs - r.epoch);
    if (tty) Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
    console.log(
      `epoch ${r.epoch}/${p.epochs}  loss ${r.loss.toFixed(4)}  acc ${pct(r.accuracy)}  ` +
        `val_loss ${r.valLoss.toFixed(4)}  val_acc ${pct(r.valAccuracy)}  ${r.seconds.toFixed(1)} s  ETA ${
          Math.round(eta)
        } s`,
    );
  };
}

const command = defineCommand({
  name: "train",
  summary: "Trains the exercise's LSTM and writes the model directory (metrics.json, history.json, tfjs/, model.onnx).",
  flags: {
    epochs: { type: "int", min: 1, max: 100_000, default: DEFAULT_CONFIG.epochs, help: "passes over the training set" },
    seed: {
      type: "int",
      min: 0,
      max: 0xffff_ffff,
      default: DEFAULT_CONFIG.seed,
      help: "seed of the initial weights and the epoch orders (and of the data, unless --data-seed)",
    },
    "data-seed": {
      type: "int",
      min: 0,
      max: 0xffff_ffff,
      arg: "S",
      help: "seed of the data draw (default: --seed); hold it fixed to vary training alone",
    },
    out: { type: "string", arg: "DIR", default: DEFAULT_MODEL_DIR, help: "the model directory to write" },
    trainer: {
      type: "enum",
      values: ["fast", "reference"],
      default: DEFAULT_CONFIG.trainer,
      help: "training path: fast (hand-written BPTT) or reference (tf.layers autodiff, ~9-11x slower)",
    },
    scaling: {
      type: "enum",
      values: Object.keys(INPUT_SCALING) as InputScaling[],
      default: DEFAULT_CONFIG.inputScaling,
      help: "input scaling (item e)",
    },
    arch: {
      type: "enum",
      values: [...ARCHS],
      default: "lstm",
      help: "the network (item e): lstm (the spec), or linear, rnn, gru or conv1d",
    },
    matmul: {
      type: "enum",
      values: [...MATMULS],
      arg: "M",
      help: `the fast LSTM path's arithmetic (default ${DEFAULT_CONFIG.matmul}): fma (the project's WASM kernels) or ` +
        "xnnpack (tfjs-WASM's, about 1.3x slower; the runs' and old models')",
    },
    threads: {
      type: "int",
      min: 1,
      max: 2,
      arg: "N",
      help: "threads of the FMA kernels' products (default 2 on a machine with 2 or more CPUs, else 1); 2 splits " +
        "each large product with a worker and gives the same bytes",
    },
    quiet: { type: "bool", help: "print only the final line" },
    config: { type: "string", arg: "FILE", help: "JSON config fields over the defaults (or a metrics.json)" },
    resume: { type: "bool", help: "go on from the checkpoint an interrupted run into --out left" },
    force: { type: "bool", help: "replace a model of another config at --out, or discard its checkpoint" },
  },
  examples: ["", "--epochs 1 --out models/tmp-m", "--trainer reference", "--arch linear --out models/tmp-linear"],
});

/** The config fields the flags set, with the flag of each. */
const FLAG_FIELDS = { epochs: "epochs", seed: "seed", trainer: "trainer", inputScaling: "scaling" } as const;

/**
 * The config asked for: the fields of `--config FILE` (a config object, or a metrics.json whose
 * `config` is taken) over the defaults, and over both the flags moved off their defaults.
 * Undefined when nothing was asked for (every flag at its default, no file): a resumed run
 * then takes the checkpoint's config.
 */
async function requestedConfig(flags: {
  epochs: number;
  seed: number;
  trainer: TrainConfig["trainer"];
  scaling: InputScaling;
  arch: Arch;
  matmul: Matmul | undefined;
  "data-seed": number | undefined;
  config: string | undefined;
}): Promise<Partial<TrainConfig> | undefined> {
  const fromFlags: Partial<TrainConfig> & Pick<TrainConfig, keyof typeof FLAG_FIELDS> = {
    epochs: flags.epochs,
    seed: flags.seed,
    trainer: flags.trainer,
    inputScaling: flags.scaling,
    ...(flags["data-seed"] === undefined ? {} : { dataSeed: flags["data-seed"] }),
    ...(flags.arch === "lstm" ? {} : { arch: flags.arch }),
    ...(flags.matmul === undefined ? {} : { matmul: flags.matmul }),
  };
  const moved: (keyof TrainConfig)[] = (Object.keys(FLAG_FIELDS) as (keyof typeof FLAG_FIELDS)[])
    .filter((k) => fromFlags[k] !== DEFAULT_CONFIG[k]);
  if (fromFlags.dataSeed !== undefined) moved.push("dataSeed");
  if (fromFlags.arch !== undefined) moved.push("arch");
  if (fromFlags.matmul !== undefined) moved.push("matmul");
  if (flags.config === undefined) {
    asUsageError(() => resolveConfig(fromFlags), RangeError, TypeError);
    return moved.length ? fromFlags : undefined;
  }
  const text = await Deno.readTextFile(flags.config);
  const file = asUsageError(
    () => {
      const value = JSON.parse(text);
      const fields = value && typeof value === "object" && "config" in value ? value.config : value;
      if (!fields || typeof fields !== "object" || Array.isArray(fields)) {
        throw new TypeError("must hold a JSON object");
      }
      return fields as Partial<TrainConfig>;
    },
    SyntaxError,
    TypeError,
  );
  const config: Partial<TrainConfig> = { ...fromFlags, ...file };
  for (const k of moved) Object.assign(config, { [k]: fromFlags[k] });
  asUsageError(() => resolveConfig(config), RangeError, TypeError);
  return config;
}

await runCli(command, async ({ flags }) => {
  const out = flags.out;
  const quiet = flags.quiet;
  const options = { out, config: await requestedConfig(flags), resume: flags.resume, force: flags.force };
  // every check of the target and the checkpoint before any work; a refusal is a usage error
  let plan: RunPlan;
  try {
    plan = await prepareRun(options);
  } catch (error) {
    if (error instanceof ModelDirError && !isIoError(error)) throw new UsageError(error.message, { cause: error });
    throw error;
  }
  const config = plan.config;
  if (!quiet) {
    for (const path of plan.removed) console.log(`removed ${path}, left by a run that died`);
    const from = plan.resume ? ` (resuming after epoch ${plan.resume.epoch}, batch ${plan.resume.batch})` : "";
    console.log(
      [
        `training: ${config.epochs} epochs, seed ${config.seed}, ${config.trainer} trainer, input ${config.inputScaling}`,
        ...optionalChoices(config),
      ].join(", ") + ` -> ${out}${from}`,
    );
  }
  // Ctrl-C: stop after the current batch and write a checkpoint; a second one exits at once
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) Deno.exit(130);
    controller.abort();
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  let result;
  try {
    setKernelThreads(flags.threads ?? Math.min(2, navigator.hardwareConcurrency));
    result = await trainModelDir({ ...options, plan, signal: controller.signal, onProgress: reporter(quiet) });
  } catch (error) {
    if (!(error instanceof TrainingInterrupted)) throw error;
    const s = error.state;
    console.error(
      `interrupted after ${s.batch} batches of epoch ${s.epoch + 1}: checkpoint in ${checkpointPath(out)}; ` +
        `go on with: deno task train --resume --out ${out}`,
    );
    Deno.exit(130);
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
    closeKernelWorkers(); // the workers would keep the process alive
  }
  const { metrics, ok, problems } = result;
  const v = metrics.validation;
  const onnx = metrics.onnx;
  if (!quiet) {
    console.log(
      `validation: balanced accuracy ${pct(v.balancedAccuracy)}, specificity ${pct(v.specificity)}, MCC ${
        v.mcc.toFixed(4)
      }, ROC-AUC ${
        v.rocAuc.toFixed(4)
      }, confusion tp ${v.confusion.tp} fp ${v.confusion.fp} tn ${v.confusion.tn} fn ${v.confusion.fn}`,
    );
    console.log(
      `onnx: accuracy ${pct(onnx.accuracy)}, max |p_onnx - p_tfjs| ${onnx.maxAbsDiff.toExponential(2)}, ` +
        `decisions agree: ${onnx.decisionsAgree}; ${metrics.seconds.toFixed(0)} s of training`,
    );
  }
  if (!ok) {
    console.error(`error: ONNX cross-check failed: ${problems.join("; ")}`);
    Deno.exit(1);
  }
  console.log(
    `final: train accuracy ${pct(metrics.train.accuracy)}, validation accuracy ${pct(v.accuracy)}`,
  );
}, { failures: [ModelDirError, OnnxError] });
