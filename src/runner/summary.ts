/**
 * Merges a plan's run files into figures with their uncertainty: whichever files exist are
 * read, in the grid's order, so the merge is deterministic and a partial plan says what it lacks.
 * @module
 */
import { runName, type RunSpec } from "../core/plan.ts";
import {
  type Interval,
  pairedDifference,
  percentile,
  type SeedSummary,
  summarize,
  wilsonInterval,
} from "../core/stats.ts";
import { pct } from "../core/format.ts";
import { type Arch, archOf } from "../core/spec.ts";
import { archLayers, countParameters } from "../core/params.ts";
import { readRunRecord, type RunRecord } from "./record.ts";

/** How each summarised figure is read from a run file. */
const FIGURES = {
  accuracy: (r: RunRecord) => r.validation.accuracy,
  specificity: (r: RunRecord) => r.validation.specificity,
  balancedAccuracy: (r: RunRecord) => r.validation.balancedAccuracy,
  mcc: (r: RunRecord) => r.validation.mcc,
  rocAuc: (r: RunRecord) => r.validation.rocAuc,
  prAucClass0: (r: RunRecord) => r.validation.prAucClass0,
  /** Accuracy on series summing to exactly the threshold. */
  boundaryAtThreshold: (r: RunRecord) => r.boundary.atThreshold,
  /** Mean per-sum accuracy over threshold ± 5. */
  boundaryBand: (r: RunRecord) => r.boundary.band,
  /** Where the mean P crosses 0.5. */
  effectiveThreshold: (r: RunRecord) => r.boundary.effectiveThreshold,
  /** How far the series scatter about logit(p)'s line against the sum, in units of sum. */
  blurSums: (r: RunRecord) => r.boundaryFit?.blurSums,
  /** How far series of one sum scatter about their mean logit, in units of sum (run files since it was measured). */
  scatterSums: (r: RunRecord) => r.boundaryFit?.scatterSums,
  /** With the cut-off chosen on training: validation accuracy, class-0 recall, accuracy at the threshold and over the band. */
  cutAccuracy: (r: RunRecord) => r.trainCut?.validation.accuracy,
  cutSpecificity: (r: RunRecord) => r.trainCut?.validation.specificity,
  cutAtThreshold: (r: RunRecord) => r.trainCut?.boundary.atThreshold,
  cutBand: (r: RunRecord) => r.trainCut?.boundary.band,
  /** With the cut-off at the training split's sum line (`sumLineCutoff`): the same four, and at the threshold − 1. */
  lineAccuracy: (r: RunRecord) => r.sumLineCut?.validation.accuracy,
  lineSpecificity: (r: RunRecord) => r.sumLineCut?.validation.specificity,
  lineJustBelow: (r: RunRecord) => r.sumLineCut?.boundary.justBelow,
  lineAtThreshold: (r: RunRecord) => r.sumLineCut?.boundary.atThreshold,
  lineBand: (r: RunRecord) => r.sumLineCut?.boundary.band,
  /** Within each run, the sum-line cut-off minus the cut-off 0.5: a paired difference on the same model. */
  lineBandGain: (r: RunRecord) => r.sumLineCut && r.sumLineCut.boundary.band - r.boundary.band,
  lineAtThresholdGain: (r: RunRecord) => r.sumLineCut && r.sumLineCut.boundary.atThreshold - r.boundary.atThreshold,
  lineAccuracyGain: (r: RunRecord) => r.sumLineCut && r.sumLineCut.validation.accuracy - r.validation.accuracy,
  /** Where the training split's line crosses 0 minus where the boundary set's mean P crosses 0.5. */
  lineCrossingError: (r: RunRecord) => r.sumLineCut && r.sumLineCut.crossing - r.boundary.effectiveThreshold,
  /** The same model by its order mean (`orderMeanScores`) at the cut-off 0.5: validation, the boundary, the blur. */
  orderAccuracy: (r: RunRecord) => r.orderMean?.validation.accuracy,
  orderSpecificity: (r: RunRecord) => r.orderMean?.validation.specificity,
  orderJustBelow: (r: RunRecord) => r.orderMean?.boundary.justBelow,
  orderAtThreshold: (r: RunRecord) => r.orderMean?.boundary.atThreshold,
  orderBand: (r: RunRecord) => r.orderMean?.boundary.band,
  orderBlur: (r: RunRecord) => r.orderMean?.boundaryFit.blurSums,
  orderScatter: (r: RunRecord) => r.orderMean?.boundaryFit.scatterSums,
  /** Within each run, the order mean at 0.5 minus one pass at 0.5. */
  orderBandGain: (r: RunRecord) => r.orderMean && r.orderMean.boundary.band - r.boundary.band,
  orderAtThresholdGain: (r: RunRecord) => r.orderMean && r.orderMean.boundary.atThreshold - r.boundary.atThreshold,
  orderBlurGain: (r: RunRecord) =>
    r.orderMean && r.boundaryFit && r.orderMean.boundaryFit.blurSums - r.boundaryFit.blurSums,
  /** The order mean at the training split's sum line (fitted on the training series' order means). */
  orderLineAccuracy: (r: RunRecord) => r.orderMean?.sumLineCut?.validation.accuracy,
  orderLineSpecificity: (r: RunRecord) => r.orderMean?.sumLineCut?.validation.specificity,
  orderLineJustBelow: (r: RunRecord) => r.orderMean?.sumLineCut?.boundary.justBelow,
  orderLineAtThreshold: (r: RunRecord) => r.orderMean?.sumLineCut?.boundary.atThreshold,
  orderLineBand: (r: RunRecord) => r.orderMean?.sumLineCut?.boundary.band,
  /** Within each run, the order mean at the sum line minus one pass at 0.5. */
  orderLineBandGain: (r: RunRecord) =>
    r.orderMean?.sumLineCut && r.orderMean.sumLineCut.boundary.band - r.boundary.band,
  orderLineAtThresholdGain: (r: RunRecord) =>
    r.orderMean?.sumLineCut && r.orderMean.sumLineCut.boundary.atThreshold - r.boundary.atThreshold,
} as const;

/** The figures summarised per variant. */
export const SUMMARY_FIGURES = Object.keys(FIGURES) as (keyof typeof FIGURES)[];

/** One of {@link SUMMARY_FIGURES}. */
export type SummaryFigure = keyof typeof FIGURES;

/** One variant over its seeds. */
export interface VariantSummary {
  variant: string;
  /** The seeds whose run files exist. */
  seeds: number[];
  /** Each figure over those seeds (mean, sd, range, t-interval). */
  figures: Partial<Record<SummaryFigure, SeedSummary>>;
  /** Class-0 recall pooled over the runs: right / total class-0 series, with its Wilson interval. */
  class0Pooled: { right: number; total: number; wilson: Interval };
  /** Mean seconds per run. */
  meanSeconds: number;
  /** Per run, in seed order: the figures a spread plot shows. */
  perRun: { seed: number; accuracy: number; mcc: number; specificity: number }[];
  /** The network of its runs. */
  arch: Arch;
  /** Its trainable parameters. */
  parameters: number;
  /** Median seconds per epoch, averaged over the runs. */
  epochSeconds: number;
  /** Validation accuracy and loss after each epoch, averaged over the runs. */
  curve: { epoch: number; valAccuracy: number; valLoss: number }[];
  /** Per run that records the boundary per epoch: the range of its effective threshold and of its accuracy at the
   * threshold over the last third of the epochs. */
  lateDrift: {
    seed: number;
    thresholdLow: number;
    thresholdHigh: number;
    atThresholdLow: number;
    atThresholdHigh: number;
  }[];
  /** The boundary after each epoch, averaged over the runs that record it (none for older run files). */
  boundaryHistory: { epoch: number; runs: number; atThreshold: number; band: number; effectiveThreshold: number }[];
}

/** A variant against its baseline (the spec, or the arm it pairs with) on the seeds both have. */
export interface PairedSummary {
  variant: string;
  /** What it is compared with: `spec`, or the arm named by its `pairWith`. */
  baseline: string;
  seeds: number[];
  /** variant − baseline per figure. */
  difference: Partial<Record<SummaryFigure, SeedSummary>>;
}

/** What {@link summarizePlan} returns. */
export interface PlanSummary {
  total: number;
  present: string[];
  missing: string[];
  variants: VariantSummary[];
  paired: PairedSummary[];
  /** The same as a table for people. */
  text: string;
}

/**
 * Formats seconds as `42 s`, `12 min 3 s` or `2 h 5 min`.
 *
 * @param seconds A duration.
 * @returns The text.
 */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

async function readIfPresent(path: string): Promise<RunRecord | undefined> {
  try {
    return await readRunRecord(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

const figureOf = (r: RunRecord, f: SummaryFigure): number => FIGURES[f](r) ?? NaN;

function summarizeFigures(records: RunRecord[]): Partial<Record<SummaryFigure, SeedSummary>> {
  const out: Partial<Record<SummaryFigure, SeedSummary>> = {};
  for (const f of SUMMARY_FIGURES) {
    const values = records.map((r) => figureOf(r, f)).filter(Number.isFinite);
    if (values.length) out[f] = summarize(values);
  }
  return out;
}

/** The per-epoch boundary averaged over the runs that record it, epoch by epoch. */
function meanBoundaryHistory(records: RunRecord[]): VariantSummary["boundaryHistory"] {
  const withHistory = records.filter((r) => r.boundaryHistory?.length);
  if (!withHistory.length) return [];
  const epochs = Math.min(...withHistory.map((r) => r.boundaryHistory!.length));
  const mean = (values: number[]) => {
    const finite = values.filter(Number.isFinite);
    return finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : NaN;
  };
  return Array.from({ length: epochs }, (_, e) => {
    const at = withHistory.map((r) => r.boundaryHistory![e]);
    return {
      epoch: e + 1,
      runs: at.length,
      atThreshold: mean(at.map((x) => x.atThreshold)),
      band: mean(at.map((x) => x.band)),
      effectiveThreshold: mean(at.map((x) => x.effectiveThreshold ?? NaN)),
    };
  });
}

/**
 * Reads the run files of a grid and summarises them per variant, and each variant against the
 * spec run of the same config and seeds (paired), and an arm that names `pairWith` against that
 * arm's run on the same seeds too.
 *
 * @param options The grid and the folder of its run files.
 * @returns The summary.
 * @throws {RunFileError} A run file that exists but cannot be read.
 */
export async function summarizePlan(options: { runs: readonly RunSpec[]; outDir: string }): Promise<PlanSummary> {
  const { runs, outDir } = options;
  const byVariant = new Map<string, RunRecord[]>();
  const present: string[] = [];
  const missing: string[] = [];
  // an arm's baseline is the plan's `spec` arm on the same seeds; a variant's, the spec run of its config
  const baselines = new Map<string, RunSpec>();
  for (const run of runs) {
    if (run.arm === "spec") baselines.set(`${run.config.seed}/${run.config.dataSeed}`, run);
  }
  const baselineOf = (run: RunSpec, r: RunRecord) =>
    run.arm === undefined
      ? runName({ variant: "spec", config: r.config })
      : baselines.has(`${r.config.seed}/${r.config.dataSeed}`)
      ? runName(baselines.get(`${r.config.seed}/${r.config.dataSeed}`)!)
      : undefined;
  const specOf = new Map<RunRecord, RunSpec>();
  for (const run of runs) {
    const record = await readIfPresent(`${outDir}/${runName(run)}`);
    if (!record) {
      missing.push(runName(run));
      continue;
    }
    present.push(record.name);
    specOf.set(record, run);
    const group = run.arm ?? run.variant;
    byVariant.set(group, [...(byVariant.get(group) ?? []), record]);
  }
  for (const records of byVariant.values()) records.sort((a, b) => a.config.seed - b.config.seed);
  const variants: VariantSummary[] = [...byVariant].map(([variant, records]) => {
    const right = records.reduce((a, r) => a + r.validation.confusion.tn, 0);
    const total = records.reduce((a, r) => a + r.validation.confusion.tn + r.validation.confusion.fp, 0);
    return {
      variant,
      seeds: records.map((r) => r.config.seed),
      figures: summarizeFigures(records),
      class0Pooled: { right, total, wilson: total ? wilsonInterval(right, total) : { low: NaN, high: NaN } },
      meanSeconds: records.reduce((a, r) => a + r.seconds, 0) / records.length,
      perRun: records.map((r) => ({
        seed: r.config.seed,
        accuracy: r.validation.accuracy,
        mcc: r.validation.mcc,
        specificity: r.validation.specificity,
      })),
      boundaryHistory: meanBoundaryHistory(records),
      lateDrift: records.filter((r) => r.boundaryHistory?.length).map((r) => {
        const h = r.boundaryHistory!;
        const late = h.slice(Math.floor((2 * h.length) / 3));
        const thr = late.map((e) => e.effectiveThreshold ?? NaN).filter(Number.isFinite);
        const at = late.map((e) => e.atThreshold);
        return {
          seed: r.config.seed,
          thresholdLow: Math.min(...thr),
          thresholdHigh: Math.max(...thr),
          atThresholdLow: Math.min(...at),
          atThresholdHigh: Math.max(...at),
        };
      }),
      arch: archOf(records[0].config),
      parameters: (({ inputSize, layers }) => countParameters(inputSize, layers).total)(archLayers(records[0].config)),
      epochSeconds: records.reduce((a, r) =>
        a + percentile(r.history.map((e) => e.seconds).sort((x, y) => x - y), 0.5), 0) / records.length,
      curve: Array.from({
        length: Math.min(...records.map((r) =>
          r.history.length
        )),
      }, (_, e) => ({
        epoch: e + 1,
        valAccuracy: records.reduce((a, r) => a + r.history[e].valAccuracy, 0) / records.length,
        valLoss: records.reduce((a, r) => a + r.history[e].valLoss, 0) / records.length,
      })),
    };
  });
  // pair each treatment with the spec run on the same config, seed and data seed, and an arm that
  // names a partner arm with that arm's run on the same seeds too
  const paired: PairedSummary[] = [];
  const pairUp = async (
    variant: string,
    baseline: string,
    records: RunRecord[],
    name: (r: RunRecord) => string | undefined,
  ) => {
    const pairs: [RunRecord, RunRecord][] = [];
    for (const r of records) {
      const other = name(r);
      const partner = other === undefined ? undefined : await readIfPresent(`${outDir}/${other}`);
      if (partner) pairs.push([r, partner]);
    }
    if (!pairs.length) return;
    const difference: Partial<Record<SummaryFigure, SeedSummary>> = {};
    for (const f of SUMMARY_FIGURES) {
      const a = pairs.map(([r]) => figureOf(r, f));
      const b = pairs.map(([, s]) => figureOf(s, f));
      if ([...a, ...b].every(Number.isFinite)) difference[f] = pairedDifference(a, b);
    }
    paired.push({ variant, baseline, seeds: pairs.map(([r]) => r.config.seed), difference });
  };
  for (const [variant, records] of byVariant) {
    if (variant === "spec") continue;
    await pairUp(variant, "spec", records, (r) => baselineOf(specOf.get(r)!, r));
  }
  for (const [variant, records] of byVariant) {
    const partner = specOf.get(records[0])?.pairWith?.arm;
    if (partner !== undefined) await pairUp(variant, partner, records, (r) => specOf.get(r)!.pairWith?.run);
  }
  return {
    total: runs.length,
    present,
    missing,
    variants,
    paired,
    text: formatSummary(runs.length, missing, variants, paired),
  };
}

const fmtPct = (s: SeedSummary | undefined) =>
  s
    ? `${pct(s.mean)} ± ${(100 * s.sd).toFixed(2)} [${pct(s.ci.low)}, ${pct(s.ci.high)}] (${pct(s.min)}–${pct(s.max)})`
    : "–";
const fmtNum = (s: SeedSummary | undefined) =>
  s ? `${s.mean.toFixed(4)} ± ${s.sd.toFixed(4)} [${s.ci.low.toFixed(4)}, ${s.ci.high.toFixed(4)}]` : "–";

/** The paired differences the text prints. */
const PAIRED_LINES = [
  "accuracy",
  "specificity",
  "mcc",
  "boundaryAtThreshold",
  "boundaryBand",
  "effectiveThreshold",
] as const;

function formatSummary(total: number, missing: string[], variants: VariantSummary[], paired: PairedSummary[]): string {
  const lines = [
    `${total - missing.length} of ${total} runs present` + (missing.length ? `; missing: ${missing.join(", ")}` : ""),
  ];
  lines.push("mean ± sd [95 % t-interval of the mean] (min–max) over seeds; validation split of each run's data seed");
  for (const v of variants) {
    lines.push(
      `${v.variant} (${v.seeds.length} seeds: ${v.seeds.join(", ")}; ${formatDuration(v.meanSeconds)} per run)`,
    );
    lines.push(`  accuracy           ${fmtPct(v.figures.accuracy)}`);
    lines.push(
      `  class-0 recall     ${fmtPct(v.figures.specificity)}; pooled ${v.class0Pooled.right}/${v.class0Pooled.total}` +
        ` [Wilson ${pct(v.class0Pooled.wilson.low)}, ${pct(v.class0Pooled.wilson.high)}]`,
    );
    lines.push(`  balanced accuracy  ${fmtPct(v.figures.balancedAccuracy)}`);
    lines.push(`  MCC                ${fmtNum(v.figures.mcc)}`);
    lines.push(`  ROC-AUC            ${fmtNum(v.figures.rocAuc)}`);
    lines.push(`  class-0 PR-AUC     ${fmtNum(v.figures.prAucClass0)}`);
    lines.push(`  boundary, sum = threshold        ${fmtPct(v.figures.boundaryAtThreshold)}`);
    lines.push(`  boundary, threshold ± 5 (equal)  ${fmtPct(v.figures.boundaryBand)}`);
    lines.push(`  effective threshold (mean P = ½) ${fmtNum(v.figures.effectiveThreshold)}`);
    if (v.figures.blurSums) lines.push(`  blur about logit(p)'s line (sums) ${fmtNum(v.figures.blurSums)}`);
    if (v.figures.scatterSums) lines.push(`  scatter at one sum (sums)        ${fmtNum(v.figures.scatterSums)}`);
    if (v.figures.orderScatter) lines.push(`    by the order mean (sums)       ${fmtNum(v.figures.orderScatter)}`);
    if (v.figures.cutAccuracy) {
      lines.push(`  cut-off chosen on training: accuracy ${fmtPct(v.figures.cutAccuracy)}`);
      lines.push(`    class-0 recall ${fmtPct(v.figures.cutSpecificity)}`);
      lines.push(
        `    boundary, sum = threshold ${fmtPct(v.figures.cutAtThreshold)}; threshold ± 5 ${fmtPct(v.figures.cutBand)}`,
      );
    }
  }
  for (const p of paired) {
    lines.push(`${p.variant} − ${p.baseline}, paired on seeds ${p.seeds.join(", ")}: mean [95 % t-interval]`);
    for (const f of PAIRED_LINES) {
      const d = p.difference[f];
      if (d) {
        const [scale, unit] = f === "mcc" ? [1, ""] : f === "effectiveThreshold" ? [1, " sums"] : [100, " points"];
        lines.push(
          `  ${f.padEnd(20)} ${(scale * d.mean).toFixed(2)}${unit} [${(scale * d.ci.low).toFixed(2)}, ${
            (scale * d.ci.high).toFixed(2)
          }]`,
        );
      }
    }
  }
  return lines.join("\n");
}
