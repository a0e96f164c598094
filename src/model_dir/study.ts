/**
 * The study directory: results.json and probabilities.json, typed and checked. The variant
 * names are the study's to define; the reader takes them as a parameter and rejects others.
 * @module
 */
import type { Confusion } from "../core/metrics.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { ModelDirError } from "./errors.ts";
import { STUDY_FILES } from "./layout.ts";
import { readBytes, readJson } from "./model_dir.ts";
import { FieldReader } from "./schema.ts";

/** The measures the study reports for one variant on one split. */
export interface StudyScoresRecord {
  accuracy: number;
  balancedAccuracy: number;
  /** Recall of class 0. */
  specificity: number;
  mcc: number;
  rocAuc: number;
  /** Average precision with class 1 as positive. */
  prAuc: number;
  /** Average precision with class 0 as positive. */
  prAucClass0: number;
  confusion: Confusion;
}

/** One variant's record in results.json. */
export interface StudyVariantRecord<N extends string = string> {
  name: N;
  description: string;
  trainSize: number;
  trainNegatives: number;
  classWeights?: [number, number];
  /** Scores on the natural validation split. */
  validation: StudyScoresRecord;
  /** Scores on the variant's own validation split, when it has one. */
  ownValidation?: StudyScoresRecord;
  seconds: number;
}

/** results.json. */
export interface StudyResultsRecord<N extends string = string> {
  seed: number;
  epochs: number;
  naturalValidation: { size: number; negatives: number };
  variants: StudyVariantRecord<N>[];
}

/** probabilities.json: per variant, P(class 1) on the natural validation split. */
export type StudyProbabilitiesRecord<N extends string = string> = Partial<Record<N, number[]>>;

/** The study directory, read and checked. */
export interface StudyDir<N extends string = string> {
  results: StudyResultsRecord<N>;
  probabilities: StudyProbabilitiesRecord<N>;
}

/** The paths of the study directory's files. */
export function studyPaths(dir: string): { results: string; probabilities: string } {
  const d = dir.replace(/\/+$/, "");
  return { results: `${d}/${STUDY_FILES.results}`, probabilities: `${d}/${STUDY_FILES.probabilities}` };
}

const fraction = { min: 0, max: 1, nullable: true } as const;

function parseScores(r: FieldReader, v: unknown, field: string): StudyScoresRecord {
  const o = r.object(v, field);
  const get = (k: string) => r.member(o, k, field);
  const f = (k: string) => r.number(get(k), `${field}.${k}`, fraction);
  const c = r.object(get("confusion"), `${field}.confusion`);
  const count = (k: string) => r.integer(r.member(c, k, `${field}.confusion`), `${field}.confusion.${k}`);
  return {
    accuracy: f("accuracy"),
    balancedAccuracy: f("balancedAccuracy"),
    specificity: f("specificity"),
    mcc: r.number(get("mcc"), `${field}.mcc`, { min: -1, max: 1, nullable: true }),
    rocAuc: f("rocAuc"),
    prAuc: f("prAuc"),
    prAucClass0: f("prAucClass0"),
    confusion: { tp: count("tp"), fp: count("fp"), tn: count("tn"), fn: count("fn") },
  };
}

/**
 * Checks results.json's parsed value.
 *
 * @param file The file's path, for messages.
 * @param value The parsed JSON.
 * @param names The variant names the study defines.
 * @returns The typed results.
 * @throws {ModelDirError} The first problem, naming the file and the field.
 */
export function parseStudyResults<N extends string>(
  file: string,
  value: unknown,
  names: readonly N[],
): StudyResultsRecord<N> {
  const r: FieldReader = new FieldReader(file);
  const o = r.object(value, "(top level)");
  const get = (k: string) => r.member(o, k, "");
  const nv = r.object(get("naturalValidation"), "naturalValidation");
  const size = r.integer(r.member(nv, "size", "naturalValidation"), "naturalValidation.size", 1);
  const negatives = r.integer(r.member(nv, "negatives", "naturalValidation"), "naturalValidation.negatives", 0, size);
  const list = get("variants");
  if (!Array.isArray(list)) r.fail("variants", "must be an array");
  const variants = list.map((v, i): StudyVariantRecord<N> => {
    const f = `variants[${i}]`;
    const x = r.object(v, f);
    const g = (k: string) => r.member(x, k, f);
    const name = r.string(g("name"), `${f}.name`);
    const known = names.find((n) => n === name);
    if (known === undefined) r.fail(`${f}.name`, `must be one of ${names.join(", ")}, got ${JSON.stringify(name)}`);
    const out: Omit<StudyVariantRecord<N>, "seconds"> & { seconds?: number } = {
      name: known,
      description: r.string(g("description"), `${f}.description`),
      trainSize: r.integer(g("trainSize"), `${f}.trainSize`, 1),
      trainNegatives: r.integer(g("trainNegatives"), `${f}.trainNegatives`),
      validation: parseScores(r, g("validation"), `${f}.validation`),
    };
    if (Object.hasOwn(x, "classWeights")) {
      const w = x.classWeights;
      if (!Array.isArray(w) || w.length !== 2) r.fail(`${f}.classWeights`, "must be two numbers");
      out.classWeights = [
        r.number(w[0], `${f}.classWeights[0]`, { min: 0 }),
        r.number(w[1], `${f}.classWeights[1]`, { min: 0 }),
      ];
    }
    if (Object.hasOwn(x, "ownValidation")) out.ownValidation = parseScores(r, x.ownValidation, `${f}.ownValidation`);
    // seconds last, where the study writes it
    return { ...out, seconds: r.number(g("seconds"), `${f}.seconds`, { min: 0 }) };
  });
  return {
    seed: r.integer(get("seed"), "seed", 0, 0xffff_ffff),
    epochs: r.integer(get("epochs"), "epochs", 1),
    naturalValidation: { size, negatives },
    variants,
  };
}

/**
 * Checks probabilities.json's parsed value: per known variant, one probability per series of
 * the natural validation split.
 *
 * @param file The file's path, for messages.
 * @param value The parsed JSON.
 * @param names The variant names the study defines.
 * @param size Series of the natural validation split.
 * @returns The typed probabilities.
 * @throws {ModelDirError} The first problem, naming the file and the field.
 */
export function parseStudyProbabilities<N extends string>(
  file: string,
  value: unknown,
  names: readonly N[],
  size: number,
): StudyProbabilitiesRecord<N> {
  const r: FieldReader = new FieldReader(file);
  const o = r.object(value, "(top level)");
  const out: StudyProbabilitiesRecord<N> = {};
  for (const [key, list] of Object.entries(o)) {
    const known = names.find((n) => n === key);
    if (known === undefined) r.fail(key, `is not a variant (${names.join(", ")})`);
    const p = r.numbers(list, key, (x, f) => r.number(x, f, { min: 0, max: 1 }));
    if (p.length !== size) r.fail(key, `must hold ${size} probabilities, got ${p.length}`);
    out[known] = p;
  }
  return out;
}

/**
 * Reads the study directory.
 *
 * @param dir The study directory.
 * @param names The variant names the study defines.
 * @returns Its results and probabilities.
 * @throws {ModelDirError} A missing or malformed file, naming the file and the field.
 */
export async function readStudyDir<N extends string>(dir: string, names: readonly N[]): Promise<StudyDir<N>> {
  const p = studyPaths(dir);
  const results = parseStudyResults(p.results, await readJson(p.results), names);
  const probabilities = parseStudyProbabilities(
    p.probabilities,
    await readJson(p.probabilities),
    names,
    results.naturalValidation.size,
  );
  return { results, probabilities };
}

/**
 * Whether a study directory has results (both files present), to tell "not run yet" from
 * "broken".
 *
 * @param dir The study directory.
 * @returns True when both files exist.
 */
export async function hasStudyResults(dir: string): Promise<boolean> {
  const p = studyPaths(dir);
  for (const path of [p.results, p.probabilities]) {
    try {
      await readBytes(path);
    } catch (error) {
      if (error instanceof ModelDirError && error.cause instanceof Deno.errors.NotFound) return false;
      throw error;
    }
  }
  return true;
}

/**
 * Writes the study directory, each file atomically.
 *
 * @param dir The study directory (created when missing).
 * @param study Its results and probabilities.
 */
export async function writeStudyDir<N extends string>(dir: string, study: StudyDir<N>): Promise<void> {
  const p = studyPaths(dir);
  await writeFileAtomic(p.results, JSON.stringify(study.results, null, 2) + "\n");
  await writeFileAtomic(p.probabilities, JSON.stringify(study.probabilities, null, 2) + "\n");
}
