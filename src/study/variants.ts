/**
 * The imbalance study's variant names, apart from the study itself so that readers of its results
 * (the report) do not load the trainer.
 * @module
 */
import { RUN_VARIANTS } from "../core/plan.ts";

/** The study's variants, in the order they run: the trained ones, then the majority-class baseline. */
export const VARIANT_NAMES = [...RUN_VARIANTS, "majority"] as const;

/**
 * One variant of the study: the exercise as specified, class-weighted cross-entropy, a balanced
 * draw, class 0 oversampled, and the majority-class baseline.
 */
export type VariantName = typeof VARIANT_NAMES[number];

/** Per variant, P(class 1) on the natural validation split (probabilities.json). */
export type StudyProbabilities = Partial<Record<VariantName, number[]>>;
