/**
 * Checks of inference input, shared by the predict CLI and the HTTP service: every bad input
 * gets a message that names what is wrong and where.
 * @module
 */
import { SPEC } from "./spec.ts";

/** Most series one request or file may hold. */
export const MAX_ROWS = 10_000;

/** Bad inference input. `status` is the HTTP status it maps to. */
export class InputError extends Error {
  override name = "InputError";
  /** The HTTP status for this error. */
  status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.status = status;
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

/**
 * Checks one series: exactly `length` integers in 0..9.
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
  if (!Array.isArray(value)) {
    throw new InputError(`${where} must be an array of ${length} digits, got ${describe(value)}`);
  }
  if (value.length !== length) {
    throw new InputError(`${where} must have ${length} digits, got ${value.length}`);
  }
  for (let t = 0; t < length; t++) {
    const d = value[t];
    if (typeof d !== "number" || !Number.isInteger(d)) {
      throw new InputError(`${where}[${t}] must be an integer digit 0..9, got ${describe(d)}`);
    }
    if (d < 0 || d > 9) throw new InputError(`${where}[${t}] must be a digit 0..9, got ${d}`);
  }
  return value as number[];
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
 * Reads 30 comma-separated digits, as typed on a command line.
 *
 * @param text E.g. `"1,2,...,9"`.
 * @returns The digits.
 * @throws {InputError} Naming the column of the first bad field.
 */
export function parseDigits(text: string, where = "argument"): number[] {
  const fields = text.split(",");
  const digits = fields.map((f, k) => {
    const s = f.trim();
    if (!/^-?\d+$/.test(s)) throw new InputError(`${where}, column ${k + 1}: expected a digit 0..9, got "${f}"`);
    return Number(s);
  });
  if (digits.length !== SPEC.seriesLength) {
    throw new InputError(`${where}: expected ${SPEC.seriesLength} digits, got ${digits.length}`);
  }
  digits.forEach((d, k) => {
    if (d < 0 || d > 9) throw new InputError(`${where}, column ${k + 1}: expected a digit 0..9, got ${d}`);
  });
  return digits;
}

/**
 * Reads the CSV that `deno task data` writes: header `x1,...,x30[,label]`, one series a line.
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
  const header = lines[0].split(",").map((h) => h.trim());
  const expected = Array.from({ length: SPEC.seriesLength }, (_, t) => `x${t + 1}`);
  const hasLabel = header.length === SPEC.seriesLength + 1 && header[SPEC.seriesLength] === "label";
  if (header.slice(0, SPEC.seriesLength).join(",") !== expected.join(",") || !(hasLabel || header.length === 30)) {
    throw new InputError(`${name}, line 1: header must be x1,...,x30 with an optional label column`);
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
    const row = parseDigits(fields.slice(0, SPEC.seriesLength).join(","), `${name}, line ${i + 1}`);
    rows.push(row);
    if (hasLabel) {
      const label = fields[SPEC.seriesLength].trim();
      if (label !== "0" && label !== "1") {
        throw new InputError(
          `${name}, line ${i + 1}, column ${SPEC.seriesLength + 1}: label must be 0 or 1, got "${label}"`,
        );
      }
      labels.push(Number(label));
    }
  }
  return hasLabel ? { rows, labels } : { rows };
}
