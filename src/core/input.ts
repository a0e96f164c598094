/**
 * Checks of inference input, shared by the predict CLI and the HTTP service: every bad input
 * gets a message that names what is wrong and where. The digit rule and the typed-series
 * grammar live in `digits.js`, which the web page imports too; this module binds them to `SPEC`.
 * @module
 */
import { checkDigitArray, describe, InputError, parseDigitFields, parseSeriesText } from "./digits.js";
import { SPEC } from "./spec.ts";

export { InputError } from "./digits.js";

/** Most series one request or file may hold. */
export const MAX_ROWS = 10_000;

/**
 * Checks one series: exactly `length` integers in 0..digitValues-1.
 *
 * @param value The candidate series.
 * @param where Where it came from, for the message (e.g. "series[3]").
 * @param length Digits per series (spec: 30).
 * @returns The digits.
 * @throws {InputError} With the position and the offending value.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(checkSeries(new Array(30).fill(1), "series").length, 30);
 * ```
 */
export function checkSeries(value: unknown, where: string, length: number = SPEC.seriesLength): number[] {
  return checkDigitArray(value, { length, digitValues: SPEC.digitValues, where });
}

/**
 * Reads a `POST /predict` body: `{"series": [30 digits]}` or `{"series": [[30 digits], ...]}`.
 *
 * @param body The parsed JSON.
 * @returns The series, and whether a single series was sent.
 * @throws {InputError} A missing field, too many rows or a bad series, named.
 */
export function checkPredictBody(body: unknown): { rows: number[][]; single: boolean } {
  if (typeof body !== "object" || body === null || Array.isArray(body) || !("series" in body)) {
    throw new InputError(`Body must be a JSON object with a "series" field, got ${describe(body)}`);
  }
  const series = (body as { series: unknown }).series;
  if (!Array.isArray(series)) throw new InputError(`"series" must be an array, got ${describe(series)}`);
  if (series.length > 0 && !Array.isArray(series[0])) return { rows: [checkSeries(series, "series")], single: true };
  if (series.length === 0) throw new InputError(`"series" must not be empty`);
  if (series.length > MAX_ROWS) {
    throw new InputError(`"series" may hold at most ${MAX_ROWS} rows, got ${series.length}`, 413);
  }
  return { rows: series.map((s, n) => checkSeries(s, `series[${n}]`)), single: false };
}

/**
 * Reads a series typed on a command line, in the grammar the web page shares: digits separated
 * by commas or spaces, or one run of digit characters.
 *
 * @param text E.g. `"1,2,...,9"`.
 * @param where What to call the text in messages.
 * @returns The digits.
 * @throws {InputError} The wrong count, or the column of the first bad field.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(parseDigits("4".repeat(30)), new Array(30).fill(4));
 * ```
 */
export function parseDigits(text: string, where = "argument"): number[] {
  return parseSeriesText(text, { length: SPEC.seriesLength, digitValues: SPEC.digitValues, where });
}

/**
 * Reads the CSV that `deno task data` writes: header `x1,...,xT[,label]` (T = `SPEC.seriesLength`),
 * one series a line.
 *
 * @param text The file's text.
 * @param name The file's name, for messages.
 * @returns The series and, when the header has `label`, the labels.
 * @throws {InputError} A bad header, or a bad field named by line and column.
 */
export function parseCsv(text: string, name = "input"): { rows: number[][]; labels?: number[] } {
  const lines = text.split(/\r?\n/);
  while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
  if (!lines.length) throw new InputError(`${name} is empty`);
  const T = SPEC.seriesLength;
  const header = lines[0].split(",").map((h) => h.trim());
  const expected = Array.from({ length: T }, (_, t) => `x${t + 1}`);
  const hasLabel = header.length === T + 1 && header[T] === "label";
  if (header.slice(0, T).join(",") !== expected.join(",") || !(hasLabel || header.length === T)) {
    throw new InputError(`${name}, line 1: header must be x1,...,x${T} with an optional label column`);
  }
  if (lines.length - 1 > MAX_ROWS) {
    throw new InputError(`${name} may hold at most ${MAX_ROWS} series, got ${lines.length - 1}`);
  }
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const fields = lines[i].split(",");
    if (fields.length !== header.length) {
      throw new InputError(`${name}, line ${i + 1}: expected ${header.length} fields, got ${fields.length}`);
    }
    const where = `${name}, line ${i + 1}`;
    rows.push(parseDigitFields(fields.slice(0, T), { length: T, digitValues: SPEC.digitValues, where }));
    if (hasLabel) {
      const label = fields[T].trim();
      if (label !== "0" && label !== "1") {
        throw new InputError(`${where}, column ${T + 1}: label must be 0 or 1, got "${label}"`);
      }
      labels.push(Number(label));
    }
  }
  return hasLabel ? { rows, labels } : { rows };
}
