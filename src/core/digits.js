// @ts-self-types="./digits.d.ts"
/**
 * Digits in, a decision out: the grammar of a typed digit series, the check of a digit, and the
 * cut-off that turns P(class 1) into a class. The CLI, the HTTP service and the browser page
 * all use these, so this file is plain JavaScript with JSDoc types and no imports: the server
 * serves it to the page as it is.
 *
 * Nothing here knows the exercise's numbers: callers pass the series length and the digit
 * count (from `SPEC` in the core, from the model and the server in the page).
 * @module
 */

/** P(class 1) at or above this is class 1. */
export const DECISION_THRESHOLD = 0.5;

/**
 * The class a probability stands for: 1 when `p >= cutoff` (by default `DECISION_THRESHOLD`), else 0.
 *
 * @param {number} p P(class 1).
 * @param {number} [cutoff] The decision cut-off on p.
 * @returns {0 | 1} The class.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals([decide(0.49), decide(0.5)], [0, 1]);
 * ```
 */
export function decide(p, cutoff = DECISION_THRESHOLD) {
  return p >= cutoff ? 1 : 0;
}

/** Bad inference input. `status` is the HTTP status it maps to. */
export class InputError extends Error {
  /**
   * @param {string} message What is wrong, and where.
   * @param {number} [status] The HTTP status (default 400).
   */
  constructor(message, status = 400) {
    super(message);
    /** @type {string} */
    this.name = "InputError";
    /** The HTTP status for this error. @type {number} */
    this.status = status;
  }
}

/**
 * Describes a value for an error message: strings quoted, NaN and null by name, else the type.
 *
 * @param {unknown} value The value.
 * @returns {string} Its description.
 */
export function describe(value) {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

/**
 * `where: text`, or `Text` when there is no `where`.
 *
 * @param {string} where The place, or "".
 * @param {string} text The problem, in lower case.
 * @returns {string} The message.
 */
function at(where, text) {
  return where ? `${where}: ${text}` : text[0].toUpperCase() + text.slice(1);
}

/**
 * Splits typed text into digit fields. The one grammar of a typed series: fields separated by
 * commas or spaces (`"4,7,1"`, `"4 7 1"`, `"4, 7, 1"`), or one run of digit characters with no
 * separator (`"471"`). An empty field between two commas stays a field, so it can be reported.
 *
 * @param {string} text The typed text.
 * @returns {string[]} The fields.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(splitSeriesText(" 4, 7 1 "), ["4", "7", "1"]);
 * assertEquals(splitSeriesText("471"), ["4", "7", "1"]);
 * ```
 */
export function splitSeriesText(text) {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  return /[,\s]/.test(trimmed) ? trimmed.split(/\s*,\s*|\s+/) : [...trimmed];
}

/**
 * Reads text fields as digits, each an integer in 0..digitValues-1.
 *
 * @param {readonly string[]} fields The fields, in order.
 * @param {{ length: number, digitValues: number, where?: string }} options Digits per series,
 *   values a digit takes, and where the fields came from (for messages; none by default).
 * @returns {number[]} The digits.
 * @throws {InputError} The wrong count, or the column and text of the first bad field.
 */
export function parseDigitFields(fields, options) {
  const { length, digitValues, where = "" } = options;
  const column = (/** @type {number} */ k) => (where ? `${where}, column ${k + 1}` : `Column ${k + 1}`);
  const digits = fields.map((f, k) => {
    const s = f.trim();
    if (!/^-?\d+$/.test(s)) {
      throw new InputError(at(column(k), `expected a digit 0..${digitValues - 1}, got ${describe(f)}`));
    }
    return Number(s);
  });
  if (digits.length !== length) throw new InputError(at(where, `expected ${length} digits, got ${digits.length}`));
  digits.forEach((d, k) => {
    if (d < 0 || d >= digitValues) {
      throw new InputError(at(column(k), `expected a digit 0..${digitValues - 1}, got ${d}`));
    }
  });
  return digits;
}

/**
 * Reads a typed series (see {@link splitSeriesText} for the grammar).
 *
 * @param {string} text The typed text.
 * @param {{ length: number, digitValues: number, where?: string }} options As for {@link parseDigitFields}.
 * @returns {number[]} The digits.
 * @throws {InputError} Naming the count or the column of the first bad field.
 * @example
 * ```ts
 * import { assertEquals, assertThrows } from "@std/assert";
 * assertEquals(parseSeriesText("1 2 3", { length: 3, digitValues: 10 }), [1, 2, 3]);
 * assertThrows(() => parseSeriesText("1,2", { length: 3, digitValues: 10 }), InputError, "Expected 3 digits, got 2");
 * ```
 */
export function parseSeriesText(text, options) {
  return parseDigitFields(splitSeriesText(text), options);
}

/**
 * Checks one series given as a JSON value: exactly `length` integers in 0..digitValues-1.
 *
 * @param {unknown} value The candidate series.
 * @param {{ length: number, digitValues: number, where: string }} options Digits per series,
 *   values a digit takes, and where it came from (e.g. "series[3]").
 * @returns {number[]} The digits.
 * @throws {InputError} With the position and the offending value.
 */
export function checkDigitArray(value, options) {
  const { length, digitValues, where } = options;
  const max = digitValues - 1;
  if (!Array.isArray(value)) {
    throw new InputError(`${where} must be an array of ${length} digits, got ${describe(value)}`);
  }
  if (value.length !== length) {
    throw new InputError(`${where} must have ${length} digits, got ${value.length}`);
  }
  for (let t = 0; t < length; t++) {
    const d = value[t];
    if (typeof d !== "number" || !Number.isInteger(d)) {
      throw new InputError(`${where}[${t}] must be an integer digit 0..${max}, got ${describe(d)}`);
    }
    if (d < 0 || d > max) throw new InputError(`${where}[${t}] must be a digit 0..${max}, got ${d}`);
  }
  return value;
}
