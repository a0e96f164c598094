/**
 * The class-imbalance study: trains the variants of deliverable 2 on the same seed and writes
 * DIR/results.json and DIR/probabilities.json (default models/study).
 *
 *   deno task study                      # 60 epochs, seed 42; reuses models/lstm-sum for the spec
 *   deno task study --epochs 2 --out /tmp/study
 * @module
 */
import { defineCommand, runCli } from "./args.ts";
import { initBackend } from "../src/train/mod.ts";
import { runStudy } from "../src/study/study.ts";
import { DEFAULT_MODEL_DIR, DEFAULT_STUDY_DIR, writeStudyDir } from "../src/model_dir/mod.ts";
import { DEFAULT_CONFIG } from "../mod.ts";

const command = defineCommand({
  name: "study",
  summary:
    "The class-imbalance study: trains the variants of deliverable 2 and writes results.json, probabilities.json.",
  flags: {
    epochs: { type: "int", min: 1, max: 100_000, default: DEFAULT_CONFIG.epochs, help: "epochs per variant" },
    seed: { type: "int", min: 0, max: 0xffff_ffff, default: DEFAULT_CONFIG.seed, help: "seed of every variant" },
    out: { type: "string", arg: "DIR", default: DEFAULT_STUDY_DIR, help: "where to write the results" },
    reuse: {
      type: "string",
      arg: "DIR",
      default: DEFAULT_MODEL_DIR,
      help: "a trained model of the spec, reused for the spec row",
    },
    quiet: { type: "bool", help: "print nothing" },
  },
  examples: ["", "--epochs 2 --out /tmp/study"],
});

await runCli(command, async ({ flags }) => {
  const out = flags.out;
  await initBackend();
  const log = flags.quiet ? () => {} : (s: string) => console.log(s);
  const { results, probabilities } = await runStudy({
    seed: flags.seed,
    epochs: flags.epochs,
    reuseDir: flags.reuse,
    onVariant: (name) => log(`study: ${name}`),
    onProgress: (p) => {
      if (p.kind === "epoch" && (p.record.epoch % 10 === 0 || p.record.epoch === p.epochs)) {
        log(`  epoch ${p.record.epoch}/${p.epochs} val_acc ${(100 * p.record.valAccuracy).toFixed(2)} %`);
      }
    },
  });
  await writeStudyDir(out, { results, probabilities });
  for (const v of results.variants) {
    const s = v.validation;
    log(
      `${v.name.padEnd(15)} acc ${(100 * s.accuracy).toFixed(2)} %  bal ${(100 * s.balancedAccuracy).toFixed(2)} %  ` +
        `recall0 ${(100 * s.specificity).toFixed(1)} %  MCC ${s.mcc.toFixed(3)}  ROC-AUC ${s.rocAuc.toFixed(4)}  ` +
        `PR-AUC(0) ${s.prAucClass0.toFixed(3)}`,
    );
  }
  log(`wrote ${out}/results.json`);
});
