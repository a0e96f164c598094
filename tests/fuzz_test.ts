/**
 * Fuzzing of every parser a user's text reaches: the CLI flags, the CSV and the typed digits,
 * and the `POST /predict` body. Each must return a checked value or throw the project's own
 * named error, never crash with another error, and never hang (each call must finish in a
 * bounded time: a slow regular expression or an endless loop fails the property).
 * @module
 */
import { assert, assertEquals } from "@std/assert";
import fc from "fast-check";
import { defineCommand, parseArgs, UsageError } from "../scripts/args.ts";
import { checkPredictBody, InputError, MAX_ROWS, parseCsv, parseDigits } from "../src/core/input.ts";
import { SPEC } from "../src/core/spec.ts";

/** Most milliseconds one call may take (generous: the inputs are at most a few KB). */
const CALL_MS = 500;
const T = SPEC.seriesLength;

/**
 * Runs `fn`, returning its value, or `undefined` when it throws an `expected` error; any other
 * error, or a call slower than {@link CALL_MS}, fails the property.
 */
function returnsOrThrows<R>(fn: () => R, expected: new (...args: never[]) => Error): R | undefined {
  const start = performance.now();
  try {
    return fn();
  } catch (error) {
    if (!(error instanceof expected)) throw new Error(`Expected ${expected.name}, got ${error}`, { cause: error });
    assert((error as Error).message.length > 0, "empty message");
    return undefined;
  } finally {
    const ms = performance.now() - start;
    assert(ms < CALL_MS, `one call took ${ms.toFixed(0)} ms`);
  }
}

const isDigitSeries = (row: unknown) =>
  Array.isArray(row) && row.length === T &&
  row.every((d) => Number.isInteger(d) && d >= 0 && d < SPEC.digitValues);

const DEMO = defineCommand({
  name: "demo",
  summary: "A table with every kind of flag.",
  flags: {
    epochs: { type: "int", min: 1, max: 100_000, default: 60, help: "passes" },
    seed: { type: "int", min: 0, max: 0xffff_ffff, help: "seed" },
    out: { type: "string", help: "where" },
    quiet: { type: "bool", help: "say less" },
    scaling: { type: "enum", values: ["digit/9", "digit", "centered"], default: "centered", help: "scaling" },
  },
  positionals: { name: "DIGITS", help: "a series", min: 0, max: 1 },
});
const NAMES = Object.keys(DEMO.flags);

const argvArb = fc.array(
  fc.oneof(
    fc.constantFrom(...NAMES.map((n) => `--${n}`), "--", "-h", "--help", "--constructor", "--__proto__", "--toString"),
    fc.tuple(fc.constantFrom(...NAMES, "constructor", "", "x"), fc.string({ maxLength: 12 })).map(([n, v]) =>
      `--${n}=${v}`
    ),
    fc.integer({ min: -5, max: 200_000 }).map(String),
    fc.constantFrom("digit/9", "digit", "centered", "", " ", "1e3", "0x10", "9007199254740993", "-0"),
    fc.string({ maxLength: 20, unit: "binary" }),
  ),
  { maxLength: 8 },
);

Deno.test("parseArgs() on any argv returns flags of the declared types or throws UsageError", () => {
  fc.assert(
    fc.property(argvArb, (argv) => {
      const parsed = returnsOrThrows(() => parseArgs(argv, DEMO), UsageError);
      if (!parsed) return;
      const { flags, positionals } = parsed;
      assertEquals(Object.keys(flags).sort(), [...NAMES].sort());
      assert(Number.isSafeInteger(flags.epochs) && flags.epochs >= 1 && flags.epochs <= 100_000);
      assert(flags.seed === undefined || (Number.isSafeInteger(flags.seed) && flags.seed >= 0));
      assert(flags.out === undefined || (typeof flags.out === "string" && flags.out !== ""));
      assert(typeof flags.quiet === "boolean");
      assert(["digit/9", "digit", "centered"].includes(flags.scaling));
      assert(positionals.length <= 1 && positionals.every((p) => argv.includes(p)));
    }),
    { numRuns: 2000 },
  );
});

const weirdFieldArb = fc.oneof(
  fc.constantFrom("", " ", " 5", "5 ", "-1", "10", "1e0", "0x1", "+3", "٣", "NaN", "1.0", "\t7", '"4"', "-0", "00"),
  fc.string({ maxLength: 4, unit: "binary" }),
);
const fieldArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 9 }).map(String) },
  { weight: 2, arbitrary: weirdFieldArb },
);
/** T digit fields, then up to two damages: a field replaced, added or dropped. */
const lineArb = fc.tuple(
  fc.array(fc.integer({ min: 0, max: 9 }).map(String), { minLength: T, maxLength: T }),
  fc.array(fc.tuple(fc.nat(T), fc.constantFrom("replace", "add", "drop"), weirdFieldArb), { maxLength: 2 }),
).map(([fields, damages]) => {
  const f = [...fields];
  for (const [k, op, v] of damages) {
    if (op === "replace") f[k % f.length] = v;
    else if (op === "add") f.splice(k, 0, v);
    else f.splice(k % f.length, 1);
  }
  return f.join(",");
});
const header = (label: boolean) => [...Array.from({ length: T }, (_, t) => `x${t + 1}`), ...(label ? ["label"] : [])];

/** CSV text near the valid grammar: a good or damaged header, rows of mostly-good fields. */
const csvArb = fc.record({
  label: fc.boolean(),
  header: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: lineArb }),
  rows: fc.array(
    fc.tuple(
      lineArb,
      fc.oneof({ weight: 5, arbitrary: fc.constantFrom("0", "1") }, { weight: 1, arbitrary: fieldArb }),
    ),
    { maxLength: 6 },
  ),
  eol: fc.constantFrom("\n", "\r\n", "\r"),
  trailing: fc.constantFrom("", "\n", "\n\n", " \n"),
}).map(({ label, header: h, rows, eol, trailing }) =>
  [h ?? header(label).join(","), ...rows.map(([line, y]) => label ? `${line},${y}` : line)].join(eol) + trailing
);

/** A valid CSV with a few characters inserted, deleted or replaced. */
const mutatedCsvArb = fc.tuple(
  fc.array(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: T, maxLength: T }), { minLength: 0, maxLength: 4 }),
  fc.array(fc.tuple(fc.nat(), fc.constantFrom("insert", "delete", "replace"), fc.string({ maxLength: 2 })), {
    minLength: 1,
    maxLength: 4,
  }),
).map(([rows, edits]) => {
  let text = [header(true).join(","), ...rows.map((r) => `${r.join(",")},${Number(r.reduce((a, b) => a + b) >= 100)}`)]
    .join("\n") + "\n";
  for (const [at, op, s] of edits) {
    const k = at % (text.length + 1);
    text = op === "insert"
      ? text.slice(0, k) + s + text.slice(k)
      : text.slice(0, k) + (op === "replace" ? s : "") + text.slice(k + 1);
  }
  return text;
});

Deno.test("parseCsv() on any text returns checked series and labels or throws InputError", () => {
  fc.assert(
    fc.property(fc.oneof(csvArb, mutatedCsvArb, fc.string({ maxLength: 300, unit: "binary" })), (text) => {
      const parsed = returnsOrThrows(() => parseCsv(text, "fuzz.csv"), InputError);
      if (!parsed) return;
      assert(parsed.rows.length <= MAX_ROWS);
      assert(parsed.rows.every(isDigitSeries), JSON.stringify(parsed.rows));
      if (parsed.labels) {
        assertEquals(parsed.labels.length, parsed.rows.length);
        assert(parsed.labels.every((y) => y === 0 || y === 1));
      }
    }),
    { numRuns: 1500 },
  );
});

Deno.test("parseCsv() accepts what deno task data writes, exactly", () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: T, maxLength: T }), {
        minLength: 1,
        maxLength: 5,
      }),
      (rows) => {
        const labels = rows.map((r) => Number(r.reduce((a, b) => a + b) >= SPEC.threshold));
        const text = [header(true).join(","), ...rows.map((r, n) => `${r.join(",")},${labels[n]}`)].join("\n") + "\n";
        assertEquals(parseCsv(text), { rows, labels });
      },
    ),
  );
});

const digitTextArb = fc.oneof(
  lineArb,
  fc.tuple(lineArb, fc.constantFrom(", ", " ", "  ", "")).map(([line, sep]) => line.replaceAll(",", sep)),
  fc.array(fieldArb, { minLength: T - 2, maxLength: T + 2 }).map((f) => f.join(",")),
  fc.string({ maxLength: 200, unit: "binary" }),
  fc.string({ maxLength: 5000 }).map((s) => s.repeat(3)),
);

Deno.test("parseDigits() on any text returns 30 digits 0..9 or throws InputError", () => {
  fc.assert(
    fc.property(digitTextArb, (text) => {
      const digits = returnsOrThrows(() => parseDigits(text), InputError);
      if (digits) assert(isDigitSeries(digits), JSON.stringify(digits));
    }),
    { numRuns: 2000 },
  );
});

/** T digits, then up to two damages: an element replaced by another JSON value, added or dropped. */
const seriesArb = fc.tuple(
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: T, maxLength: T }),
  fc.array(
    fc.tuple(
      fc.nat(T),
      fc.constantFrom("replace", "add", "drop"),
      fc.oneof(fc.integer({ min: -2, max: 12 }), fc.double(), fc.constantFrom(null, "5", [5], 1e308, -0, NaN, true)),
    ),
    { maxLength: 2 },
  ),
).map(([digits, damages]) => {
  const s: unknown[] = [...digits];
  for (const [k, op, v] of damages) {
    if (op === "replace") s[k % s.length] = v;
    else if (op === "add") s.splice(k, 0, v);
    else s.splice(k % s.length, 1);
  }
  return s;
});

Deno.test("checkPredictBody() on any JSON value returns checked rows or throws InputError", () => {
  const bodyArb = fc.oneof(
    fc.jsonValue(),
    fc.record({ series: seriesArb }),
    fc.record({ series: fc.array(seriesArb, { maxLength: 4 }) }),
    fc.record({ series: fc.jsonValue() }),
  );
  fc.assert(
    fc.property(bodyArb, (body) => {
      const checked = returnsOrThrows(() => checkPredictBody(body), InputError);
      if (!checked) return;
      assert(checked.rows.length >= 1 && checked.rows.length <= MAX_ROWS);
      assert(checked.rows.every(isDigitSeries), JSON.stringify(checked.rows));
      if (checked.single) assertEquals(checked.rows.length, 1);
    }),
    { numRuns: 2000 },
  );
});
