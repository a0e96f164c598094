/**
 * The class-imbalance study: trains the variants of deliverable 2 on the same seed and writes
 * DIR/results.json and DIR/probabilities.json (default models/study).
 *
 *   deno task study                      # 60 epochs, seed 42; reuses models/lstm-sum for the spec
 *   deno task study --epochs 2 --out /tmp/study
 * @module
 */
import { parseFlags, runCli } from "./args.ts";
import { initBackend } from "../src/train/mod.ts";
import { runStudy } from "../src/study/study.ts";
import { writeJsonAtomic } from "../src/io/atomic.ts";
import { DEFAULT_CONFIG } from "../mod.ts";

await runCli(async () => {
  const { flags, positionals } = parseFlags(Deno.args, {
    epochs: { type: "int", min: 1, max: 100_000 },
    seed: { type: "int", min: 0, max: 0xffff_ffff },
    out: { type: "string" },
    reuse: { type: "string" },
    quiet: { type: "bool" },
  });
  if (positionals.length) throw new RangeError(`Unexpected argument "${positionals[0]}"`);
  const out = flags.out ?? "models/study";
  await initBackend();
  const log = flags.quiet ? () => {} : (s: string) => console.log(s);
  const { results, probabilities } = await runStudy({
    seed: flags.seed ?? DEFAULT_CONFIG.seed,
    epochs: flags.epochs ?? DEFAULT_CONFIG.epochs,
    reuseDir: flags.reuse ?? "models/lstm-sum",
    onVariant: (name) => log(`study: ${name}`),
    onProgress: (p) => {
      if (p.kind === "epoch" && (p.record.epoch % 10 === 0 || p.record.epoch === p.epochs)) {
        log(`  epoch ${p.record.epoch}/${p.epochs} val_acc ${(100 * p.record.valAccuracy).toFixed(2)} %`);
      }
    },
  });
  await writeJsonAtomic(`${out}/results.json`, results);
  await writeJsonAtomic(`${out}/probabilities.json`, probabilities);
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
