/**
 * Trains the exercise's LSTM and writes the model directory.
 *
 *   deno task train                       # the spec: 60 epochs, seed 42, fast trainer
 *   deno task train --epochs 1 --out /tmp/m
 *   deno task train --trainer reference   # tf.layers + autodiff, about 7x slower
 *
 * Flags: --epochs N, --seed S, --out DIR (default models/lstm-sum), --trainer fast|reference,
 * --scaling digit|digit/9|centered (item e), --threads N (fast trainer; the bytes depend on it), --quiet. Writes metrics.json, history.json, tfjs/ and model.onnx, each atomically, then
 * cross-checks model.onnx with onnxruntime-web. Exit 2 on a bad flag, 1 on a failed check.
 * @module
 */
import { parseFlags, runCli } from "./args.ts";
import { initBackend, type Progress, saveTfjsModel, train } from "../src/train/mod.ts";
import { exportAndCheck } from "../src/onnx/check.ts";
import { writeJsonAtomic } from "../src/io/atomic.ts";
import { DEFAULT_CONFIG, INPUT_SCALING, type InputScaling, type TrainerName } from "../src/core/spec.ts";

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

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

await runCli(async () => {
  const { flags, positionals } = parseFlags(Deno.args, {
    epochs: { type: "int", min: 1, max: 100_000 },
    seed: { type: "int", min: 0, max: 0xffff_ffff },
    out: { type: "string" },
    trainer: { type: "enum", values: ["fast", "reference"] },
    scaling: { type: "enum", values: Object.keys(INPUT_SCALING) },
    threads: { type: "int", min: 1, max: 64 },
    quiet: { type: "bool" },
  });
  if (positionals.length) {
    throw new RangeError(`Unexpected argument "${positionals[0]}"`);
  }
  const out = flags.out ?? "models/lstm-sum";
  await initBackend();
  const config = {
    epochs: flags.epochs ?? DEFAULT_CONFIG.epochs,
    seed: flags.seed ?? DEFAULT_CONFIG.seed,
    trainer: (flags.trainer ?? DEFAULT_CONFIG.trainer) as TrainerName,
    inputScaling: (flags.scaling ?? DEFAULT_CONFIG.inputScaling) as InputScaling,
    threads: flags.threads ?? DEFAULT_CONFIG.threads,
  };
  const quiet = flags.quiet ?? false;
  if (!quiet) {
    console.log(
      `training: ${config.epochs} epochs, seed ${config.seed}, ${config.trainer} trainer, input ${config.inputScaling} -> ${out}`,
    );
  }
  const { model, history, metrics, data } = await train({
    config,
    onProgress: reporter(quiet),
  });
  await saveTfjsModel(model, out);
  await writeJsonAtomic(`${out}/history.json`, history);
  const onnx = await exportAndCheck({ model, metrics, data, dir: out });
  await writeJsonAtomic(`${out}/metrics.json`, {
    ...metrics,
    onnx: onnx.result,
  });
  const v = metrics.validation;
  if (!quiet) {
    console.log(
      `validation: balanced accuracy ${pct(v.balancedAccuracy)}, specificity ${pct(v.specificity)}, MCC ${
        v.mcc.toFixed(4)
      }, ROC-AUC ${
        v.rocAuc.toFixed(4)
      }, confusion tp ${v.confusion.tp} fp ${v.confusion.fp} tn ${v.confusion.tn} fn ${v.confusion.fn}`,
    );
    console.log(
      `onnx: accuracy ${pct(onnx.result.accuracy)}, max |p_onnx - p_tfjs| ${
        onnx.result.maxAbsDiff.toExponential(2)
      }, ` +
        `decisions agree: ${onnx.result.decisionsAgree}; ${metrics.seconds.toFixed(0)} s of training`,
    );
  }
  if (!onnx.ok) {
    console.error(
      `error: ONNX cross-check failed: ${onnx.problems.join("; ")}`,
    );
    Deno.exit(1);
  }
  console.log(
    `final: train accuracy ${pct(metrics.train.accuracy)}, validation accuracy ${pct(v.accuracy)}`,
  );
});
