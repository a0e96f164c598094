/**
 * Experiment plans: a plan is a named grid of variants × seeds; each cell is one run, one config
 * plus one seed, whose file name is derived from what defines it, so the same run always lands
 * at the same path. Pure: the runner (`src/runner/`) executes what this module lists.
 * @module
 */
import { BASELINE_CHOICES, checkSeed, resolveConfig, type TrainConfig } from "./spec.ts";

/** The ways a run can train, beyond the config: the imbalance study's treatments. */
export const RUN_VARIANTS = ["spec", "class-weighted", "balanced-data", "oversampled"] as const;

/** One of {@link RUN_VARIANTS}. */
export type RunVariant = typeof RUN_VARIANTS[number];

/** What defines one run. */
export interface RunSpec {
  /** How it trains. */
  variant: RunVariant;
  /** The plan arm's name when the run belongs to an arm of config choices (not part of its identity:
   * two arms with the same variant and config are the same run, at the same path). */
  arm?: string;
  /** From the arm's {@link Arm.pairWith}: the other arm's name and its run on the same seeds, which
   * the summary compares this run with (not part of its identity either). */
  pairWith?: { arm: string; run: string };
  /** The training config: `seed` seeds the initial weights and the epoch orders, `dataSeed` the data. */
  config: TrainConfig;
}

/** A named set of config choices, run on every seed of a plan and compared with the spec, paired. */
export interface Arm {
  /** How tables and figures call it, e.g. `forget-bias-5`. */
  name: string;
  /** The config fields it changes from the default. */
  config: Partial<TrainConfig>;
  /** Another arm of the plan it is also compared with, paired on the same seeds, beside the spec arm:
   * the arm it builds on, e.g. the default's choices plus one change. */
  pairWith?: Arm;
}

/** The name prefix of an arm that changes a field item (e) does not leave free (the data of item a, the epochs of
 * item f): a diagnosis of what limits a measure, shown beside the choices but never one of them. */
export const DIAGNOSTIC_ARM_PREFIX = "diagnostic-";

/**
 * Whether an arm is a diagnosis rather than an item (e) choice ({@link DIAGNOSTIC_ARM_PREFIX}).
 *
 * @param name The arm's name.
 * @returns True for a diagnosis.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals([isDiagnosticArm("diagnostic-120-epochs"), isDiagnosticArm("clip-1")], [true, false]);
 * ```
 */
export function isDiagnosticArm(name: string): boolean {
  return name.startsWith(DIAGNOSTIC_ARM_PREFIX);
}

/** Forget-gate bias 5 with weights averaged over epochs 31–60 (the default before permuted digits): the partner of the arms that build on it. */
const FB5_AVERAGE_31: Arm = Object.freeze({ name: "fb5-average-31", config: { forgetBias: 5, averageFrom: 31 } });

/** Forget-gate bias 5, weights averaged over epochs 31–60, digits reordered every epoch: the default before shifted inputs. */
const PERMUTE_FB5_AVERAGE_31: Arm = Object.freeze({
  name: "permute-fb5-average-31",
  config: { permuteDigits: true, forgetBias: 5, averageFrom: 31 },
  pairWith: FB5_AVERAGE_31,
});

/**
 * The arm of the boundary plan whose runs are the default plan's: the default's four item (e) choices (forget-gate
 * bias 5, weights averaged over epochs 31–60, digits reordered every epoch, each digit value shifted before centring),
 * paired with the default before the shift. What the digits' unequal counts leave in the order mean's same-sum
 * scatter (digits 1 to 5 count short of their face value on every model of the earlier default measured) is what the
 * shift takes out.
 */
export const DEFAULT_ARM: Arm = Object.freeze<Arm>({
  name: "permute-fb5-average-31-shift",
  config: { permuteDigits: true, forgetBias: 5, averageFrom: 31, inputScaling: "centered-shift" },
  pairWith: PERMUTE_FB5_AVERAGE_31,
});

/** A named grid. */
export interface Plan {
  /** One line: what the plan measures. */
  description: string;
  /** The variants, each run on every seed. */
  variants: readonly RunVariant[];
  /** Arms of config choices, each run as the spec variant on every seed; the arm named `spec`
   * (no change) is the spec plan's own run on that seed. */
  arms?: readonly Arm[];
  /** The seeds when `--seeds` is not given. */
  seeds: readonly number[];
  /** A fixed data seed; absent, each run draws its data with its own seed. */
  dataSeed?: number;
  /** Config fields that differ from the default (e.g. a tiny config for tests). */
  config?: Partial<TrainConfig>;
}

/** Under every plan's config: the fast LSTM path on tfjs-WASM's XNNPACK (`matmul` absent), the arithmetic every
 * committed run file was trained with, so each reproduces bit for bit under its name. A plan or an arm may set
 * `matmul: "fma"`, which the default config uses. */
export const PLAN_BASE: Readonly<Partial<TrainConfig>> = Object.freeze({ matmul: undefined });

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);

/** The project's plans. */
export const PLANS: Readonly<Record<string, Plan>> = Object.freeze({
  /** Deliverable 1 over seeds as `deno task train` trains it: data, initial weights and order all vary. */
  default: {
    description:
      "the default config (forget-gate bias 5, weights averaged over epochs 31-60, digits reordered every epoch, digit inputs shifted) on the plans' xnnpack arithmetic, everything varying with the seed",
    variants: ["spec"],
    seeds: range(1, 10),
  },
  /** Deliverable 1 over seeds with the baseline's item (e) choices: the pairing partner of every comparison. */
  spec: {
    description:
      "the spec with the baseline's item (e) choices (forget-gate bias 1, last weights, digits as drawn), everything varying with the seed",
    variants: ["spec"],
    seeds: range(1, 10),
    config: BASELINE_CHOICES,
  },
  /** The training seed alone varies, on the data of seed 42. */
  "spec-data42": {
    description: "the spec plan's config on the data draw of seed 42, the training seed varying",
    variants: ["spec"],
    seeds: range(1, 5),
    dataSeed: 42,
    config: BASELINE_CHOICES,
  },
  /** The imbalance treatments on the spec's first seeds, so that each compares paired. */
  imbalance: {
    description: "the imbalance treatments, on the same seeds and config as the spec plan",
    variants: ["class-weighted", "balanced-data", "oversampled"],
    seeds: range(1, 3),
    config: BASELINE_CHOICES,
  },
  /** The full-size spec for 2 epochs: a quick look, and the measure of whether --jobs pays. */
  quick: {
    description: "the spec's data and network for 2 epochs, 4 seeds (about 25 s a run)",
    variants: ["spec"],
    seeds: range(1, 4),
    config: { ...BASELINE_CHOICES, epochs: 2 },
  },
  /** Item (e)'s free choices against the decision boundary, paired with the spec plan's seeds. */
  boundary: {
    description:
      "item (e) choices against the boundary: forget-gate bias, weight averaging, input scaling or one-hot, clipping, recurrent init, digits reordered every epoch",
    variants: [],
    arms: [
      { name: "spec", config: {} },
      { name: "forget-bias-5", config: { forgetBias: 5 } },
      { name: "forget-bias-3", config: { forgetBias: 3 } },
      { name: "forget-bias-10", config: { forgetBias: 10 } },
      { name: "fb5-average-41", config: { forgetBias: 5, averageFrom: 41 } },
      FB5_AVERAGE_31,
      // the forget gate at bias 5 still leaks (a cell half-life of about 21 steps), and descending series are under-counted
      { name: "fb10-average-31", config: { forgetBias: 10, averageFrom: 31 }, pairWith: FB5_AVERAGE_31 },
      { name: "clip-1", config: { clipNorm: 1 } },
      { name: "glorot-recurrent", config: { recurrentInit: "glorot" } },
      { name: "digit-input", config: { inputScaling: "digit" } },
      { name: "one-hot-input", config: { inputScaling: "one-hot" } },
      // the one-hot input with bias 5 and the averaging (the default before permuted digits), paired with those
      {
        name: "one-hot-fb5-average-31",
        config: { inputScaling: "one-hot", forgetBias: 5, averageFrom: 31 },
        pairWith: FB5_AVERAGE_31,
      },
      // the rule does not depend on the digits' order: each epoch shows every training series in a fresh order
      { name: "permute-digits", config: { permuteDigits: true } },
      PERMUTE_FB5_AVERAGE_31,
      // with the digits reordered, a cell that leaks less (bias 10: half-life far beyond 30 steps) may count more evenly
      {
        name: "permute-fb10-average-31",
        config: { permuteDigits: true, forgetBias: 10, averageFrom: 31 },
        pairWith: PERMUTE_FB5_AVERAGE_31,
      },
      // what blurs the boundary is an interaction between the digits: a cell's increment depends on what the cells
      // hold, through the recurrent kernel; started at 0, every gate first sees the current digit alone
      {
        name: "permute-fb5-average-31-zeros",
        config: { permuteDigits: true, forgetBias: 5, averageFrom: 31, recurrentInit: "zeros" },
        pairWith: PERMUTE_FB5_AVERAGE_31,
      },
      // the default's effective threshold sits at 99.24 ± 0.29 over 10 seeds, below the rule's 99.5, where the imbalance
      // pulls it; with logit(p) rising about 1 per unit of sum, a class-0 weight w moves it up by about ln w sums
      {
        name: "permute-fb5-average-31-class0-1.25",
        config: { permuteDigits: true, forgetBias: 5, averageFrom: 31, classZeroWeight: 1.25 },
        pairWith: PERMUTE_FB5_AVERAGE_31,
      },
      // late in training the threshold moves by sums from one epoch's end to the next; a mean over every batch's
      // weights takes 160 times as many snapshots of that walk as a mean over epoch ends
      {
        name: "permute-fb5-average-31-every-batch",
        config: { permuteDigits: true, forgetBias: 5, averageFrom: 31, averageEvery: "batch" },
        pairWith: PERMUTE_FB5_AVERAGE_31,
      },
      DEFAULT_ARM,
      // not an item (e) choice but a diagnosis of what limits the boundary: item (a)'s 8,000 training series doubled,
      // for half the epochs, so that the batches, the steps and the time stay the same
      {
        name: "diagnostic-twice-the-data",
        config: { permuteDigits: true, forgetBias: 5, averageFrom: 16, trainSize: 16_000, epochs: 30 },
        pairWith: PERMUTE_FB5_AVERAGE_31,
      },
      // the other diagnosis: item (f)'s 60 epochs doubled on the same 8,000 series (twice the steps and the time)
      {
        name: "diagnostic-120-epochs",
        config: { permuteDigits: true, forgetBias: 5, averageFrom: 61, epochs: 120 },
        pairWith: PERMUTE_FB5_AVERAGE_31,
      },
    ],
    seeds: range(1, 3),
    config: BASELINE_CHOICES,
  },
  /** Item (e)'s architectures side by side on the spec's data and training, paired with the spec's seeds. */
  archs: {
    description: "the architectures: the spec's LSTM beside one logistic unit, SimpleRNN(200), GRU(200) and a Conv1D",
    variants: [],
    arms: [
      { name: "spec", config: {} },
      { name: "linear", config: { arch: "linear" } },
      { name: "rnn", config: { arch: "rnn" } },
      { name: "gru", config: { arch: "gru" } },
      { name: "conv1d", config: { arch: "conv1d" } },
    ],
    seeds: range(1, 3),
    config: BASELINE_CHOICES,
  },
  /** A tiny config for tests: seconds per run. */
  smoke: {
    description: "a tiny config (4 units, 150 + 50 series, 2 epochs) for tests",
    variants: ["spec", "class-weighted"],
    seeds: range(1, 3),
    config: { units: 4, trainSize: 150, validationSize: 50, epochs: 2 },
  },
});

/**
 * Parses a seed list: `7`, `1-10`, `1,3,5` or a mix such as `1-3,8`.
 *
 * @param text The list.
 * @returns The seeds, ascending, without repeats.
 * @throws {RangeError} An empty or malformed list, a descending range, or a seed outside [0, 2^32).
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(parseSeeds("1-3,8"), [1, 2, 3, 8]);
 * ```
 */
export function parseSeeds(text: string): number[] {
  const seeds = new Set<number>();
  for (const part of text.split(",")) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new RangeError(`Seeds must look like 7, 1-10 or 1,3,5, got "${text.slice(0, 60)}"`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    checkSeed(from);
    checkSeed(to);
    if (to < from) throw new RangeError(`Seed range must ascend, got "${part.trim()}"`);
    if (to - from >= 100_000) throw new RangeError(`Seed range must hold at most 100000 seeds, got "${part.trim()}"`);
    for (let s = from; s <= to; s++) seeds.add(s);
  }
  return [...seeds].sort((a, b) => a - b);
}

/** A 1/count share of a grid: the runs whose position in the sorted grid is index mod count. */
export interface Shard {
  /** This shard's number, 0 ≤ index < count. */
  index: number;
  /** How many shards share the grid. */
  count: number;
}

/**
 * Keeps only some arms of a plan, e.g. to run the most telling first.
 *
 * @param plan A plan with arms.
 * @param text Arm names, comma-separated.
 * @returns The plan with those arms alone, in the plan's order.
 * @throws {RangeError} A plan without arms, or a name that is not one of its arms.
 */
export function selectArms(plan: Plan, text: string): Plan {
  const names = (plan.arms ?? []).map((a) => a.name);
  if (!names.length) throw new RangeError(`Plan "${plan.description}" has no arms to select`);
  const wanted = text.split(",").map((s) => s.trim());
  for (const w of wanted) {
    if (!names.includes(w)) {
      throw new RangeError(`Arm must be one of ${names.join(", ")}, got "${w.slice(0, 60)}"`);
    }
  }
  return { ...plan, arms: plan.arms!.filter((a) => wanted.includes(a.name)) };
}

/**
 * Parses `i/n` with 0 ≤ i < n.
 *
 * @param text E.g. `0/4`.
 * @returns The shard.
 * @throws {RangeError} Anything else.
 */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(count) && count >= 1 && index < count)) {
    throw new RangeError(`Shard must be i/n with 0 <= i < n, got "${text.slice(0, 60)}"`);
  }
  return { index, count };
}

/** FNV-1a, 64-bit, over the UTF-16 code units (Fowler, Noll, Vo): a stable name, not for security. */
function fnv1a64(text: string): string {
  const prime = 0x100000001b3n;
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * prime) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, "0");
}

/** JSON with object keys sorted at every depth: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
        : v,
  );
}

/**
 * The file name of a run: readable parts, then a hash of everything that defines it.
 *
 * @param run The run.
 * @returns E.g. `spec-s3-d3-0a1b2c3d4e5f6071.json`, or `spec-linear-s3-d3-….json` with the optional
 *   fields that are set (arch, forget bias, clipping, weight averaging, recurrent init, permuted digits) and an input scaling other than the baseline's
 *   named after the variant.
 */
export function runName(run: Pick<RunSpec, "variant" | "config">): string {
  const { variant, config } = run;
  // readable tags of the optional fields that are set, and of an input scaling other than the baseline's;
  // the hash alone tells runs apart
  const tags = [
    config.arch === undefined ? "" : `-${config.arch}`,
    config.inputScaling === BASELINE_CHOICES.inputScaling ? "" : `-${config.inputScaling}`,
    config.forgetBias === undefined ? "" : `-fb${config.forgetBias}`,
    config.clipNorm === undefined ? "" : `-clip${config.clipNorm}`,
    config.averageFrom === undefined ? "" : `-swa${config.averageFrom}${config.averageEvery === "batch" ? "b" : ""}`,
    config.recurrentInit === undefined ? "" : `-${config.recurrentInit}`,
    config.permuteDigits === undefined ? "" : "-perm",
    config.classZeroWeight === undefined ? "" : `-cw${config.classZeroWeight}`,
  ].join("");
  return `${variant}${tags}-s${config.seed}-d${config.dataSeed}-${fnv1a64(canonicalJson({ variant, config }))}.json`;
}

/**
 * The runs of a plan, sorted by name: every variant on every seed.
 *
 * @param plan The plan.
 * @param seeds Seeds instead of the plan's own.
 * @returns One spec per run.
 * @throws {TypeError|RangeError} A config override the spec does not accept.
 */
export function planRuns(plan: Plan, seeds: readonly number[] = plan.seeds): RunSpec[] {
  const runs = plan.variants.flatMap((variant) =>
    seeds.map((seed): RunSpec => ({
      variant,
      config: resolveConfig({ ...PLAN_BASE, ...plan.config, seed, dataSeed: plan.dataSeed ?? seed }),
    }))
  );
  for (const arm of plan.arms ?? []) {
    for (const seed of seeds) {
      const configOf = (a: Arm) =>
        resolveConfig({ ...PLAN_BASE, ...plan.config, ...a.config, seed, dataSeed: plan.dataSeed ?? seed });
      const partner = arm.pairWith;
      runs.push({
        variant: "spec",
        arm: arm.name,
        ...(partner &&
          { pairWith: { arm: partner.name, run: runName({ variant: "spec", config: configOf(partner) }) } }),
        config: configOf(arm),
      });
    }
  }
  return runs.sort((a, b) => (runName(a) < runName(b) ? -1 : runName(a) > runName(b) ? 1 : 0));
}

/**
 * The runs of one shard: those whose position in the sorted list is `index` mod `count`.
 * The shards of a grid are disjoint and together hold every run.
 *
 * @param runs The grid, in a fixed order (as {@link planRuns} gives it).
 * @param shard The share.
 * @returns The shard's runs, in order.
 */
export function shardRuns<T>(runs: readonly T[], shard: Shard): T[] {
  return runs.filter((_, k) => k % shard.count === shard.index);
}
