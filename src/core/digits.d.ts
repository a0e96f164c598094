/**
 * Types of `digits.js` (plain JavaScript, so that the web page can import it as it is); JSR
 * and `deno doc` read these. Keep them in step with `digits.js`.
 * @module
 */

/** P(class 1) at or above this is class 1. */
export declare const DECISION_THRESHOLD: 0.5;

/**
 * The class a probability stands for: 1 when `p >= DECISION_THRESHOLD`, else 0.
 *
 * @param p P(class 1).
 * @returns The class.
 */
export declare function decide(p: number, cutoff?: number): 0 | 1;

/** Bad inference input. `status` is the HTTP status it maps to. */
export declare class InputError extends Error {
  /**
   * Makes the error.
   *
   * @param message What is wrong, and where.
   * @param status The HTTP status (default 400).
   */
  constructor(message: string, status?: number);
  /** The HTTP status for this error. */
  status: number;
}

/**
 * Describes a value for an error message: strings quoted, NaN and null by name, else the type.
 *
 * @param value The value.
 * @returns Its description.
 */
export declare function describe(value: unknown): string;

/**
 * Splits typed text into digit fields: fields separated by commas or spaces, or one run of
 * digit characters with no separator.
 *
 * @param text The typed text.
 * @returns The fields.
 */
export declare function splitSeriesText(text: string): string[];

/** Digits per series, values a digit takes, and where the input came from (for messages). */
export interface DigitOptions {
  /** Digits per series. */
  length: number;
  /** Values a digit takes: digits are 0..digitValues-1. */
  digitValues: number;
  /** Where the input came from, for messages. */
  where?: string;
}

/**
 * Reads text fields as digits, each an integer in 0..digitValues-1.
 *
 * @param fields The fields, in order.
 * @param options Digits per series, values a digit takes, and where the fields came from.
 * @returns The digits.
 * @throws {InputError} The wrong count, or the column and text of the first bad field.
 */
export declare function parseDigitFields(fields: readonly string[], options: DigitOptions): number[];

/**
 * Reads a typed series (see {@link splitSeriesText} for the grammar).
 *
 * @param text The typed text.
 * @param options As for {@link parseDigitFields}.
 * @returns The digits.
 * @throws {InputError} Naming the count or the column of the first bad field.
 */
export declare function parseSeriesText(text: string, options: DigitOptions): number[];

/**
 * Checks one series given as a JSON value: exactly `length` integers in 0..digitValues-1.
 *
 * @param value The candidate series.
 * @param options Digits per series, values a digit takes, and where it came from.
 * @returns The digits.
 * @throws {InputError} With the position and the offending value.
 */
export declare function checkDigitArray(value: unknown, options: DigitOptions & { where: string }): number[];
