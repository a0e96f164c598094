import { assertEquals, assertThrows } from "@std/assert";
import fc from "fast-check";
import { checkPredictBody, checkSeries, InputError, MAX_ROWS, parseCsv, parseDigits } from "../mod.ts";

const digits30 = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 30, maxLength: 30 });

Deno.test("checkSeries() accepts exactly 30 integers in 0..9", () => {
  fc.assert(fc.property(digits30, (d) => assertEquals(checkSeries(d, "s"), d)));
});

Deno.test("checkSeries() names the position and value of a bad digit", () => {
  const good = new Array(30).fill(5);
  const bad = (k: number, v: unknown) => good.map((d, i) => (i === k ? v : d));
  assertThrows(() => checkSeries(good.slice(1), "series"), InputError, "series must have 30 digits, got 29");
  assertThrows(
    () => checkSeries(bad(3, 1.5), "series"),
    InputError,
    "series[3] must be an integer digit 0..9, got 1.5",
  );
  assertThrows(() => checkSeries(bad(4, 10), "series"), InputError, "series[4] must be a digit 0..9, got 10");
  assertThrows(() => checkSeries(bad(5, -1), "series"), InputError, "series[5] must be a digit 0..9, got -1");
  assertThrows(
    () => checkSeries(bad(6, NaN), "series"),
    InputError,
    "series[6] must be an integer digit 0..9, got NaN",
  );
  assertThrows(
    () => checkSeries(bad(7, "3"), "series"),
    InputError,
    'series[7] must be an integer digit 0..9, got "3"',
  );
  assertThrows(
    () => checkSeries(bad(8, null), "series"),
    InputError,
    "series[8] must be an integer digit 0..9, got null",
  );
  assertThrows(() => checkSeries("123", "series"), InputError, 'series must be an array of 30 digits, got "123"');
});

Deno.test("checkPredictBody() takes one series or a list of series, up to 10,000 rows", () => {
  const s = new Array(30).fill(1);
  assertEquals(checkPredictBody({ series: s }), { rows: [s], single: true });
  assertEquals(checkPredictBody({ series: [s, s] }), { rows: [s, s], single: false });
  assertThrows(
    () => checkPredictBody([s]),
    InputError,
    'Body must be a JSON object with a "series" field, got an array',
  );
  assertThrows(() => checkPredictBody({ x: s }), InputError, 'with a "series" field');
  assertThrows(() => checkPredictBody({ series: [] }), InputError, '"series" must not be empty');
  assertThrows(
    () => checkPredictBody({ series: [s, s.slice(2)] }),
    InputError,
    "series[1] must have 30 digits, got 28",
  );
  const e = assertThrows(() => checkPredictBody({ series: new Array(MAX_ROWS + 1).fill(s) }), InputError);
  assertEquals([e.message, e.status], ['"series" may hold at most 10000 rows, got 10001', 413]);
});

Deno.test("parseDigits() and parseCsv() name the line and column of a bad field", () => {
  assertEquals(parseDigits(new Array(30).fill("7").join(",")), new Array(30).fill(7));
  assertThrows(() => parseDigits("1,2"), InputError, "argument: expected 30 digits, got 2");
  const header = [...Array.from({ length: 30 }, (_, i) => `x${i + 1}`), "label"].join(",");
  const row = new Array(30).fill("3").join(",");
  assertEquals(parseCsv(`${header}\n${row},0\n`, "f.csv"), { rows: [new Array(30).fill(3)], labels: [0] });
  assertEquals(parseCsv(`${header.replace(",label", "")}\n${row}\n`, "f.csv"), { rows: [new Array(30).fill(3)] });
  assertThrows(
    () => parseCsv(`${header}\n${row},0\n${row.replace(/^3,3/, "3,x")},1\n`, "f.csv"),
    InputError,
    'f.csv, line 3, column 2: expected a digit 0..9, got "x"',
  );
  assertThrows(
    () => parseCsv(`${header}\n${row.replace(/3$/, "12")},1\n`, "f.csv"),
    InputError,
    "f.csv, line 2, column 30: expected a digit 0..9, got 12",
  );
  assertThrows(
    () => parseCsv(`${header}\n${row},2\n`, "f.csv"),
    InputError,
    'f.csv, line 2, column 31: label must be 0 or 1, got "2"',
  );
  assertThrows(() => parseCsv(`${header}\n${row}\n`, "f.csv"), InputError, "f.csv, line 2: expected 31 fields, got 30");
  assertThrows(() => parseCsv("a,b\n", "f.csv"), InputError, "f.csv, line 1: header must be x1,...,x30");
  assertThrows(() => parseCsv("", "f.csv"), InputError, "f.csv is empty");
});

Deno.test("parseDigits() reads the web page's grammar too: spaces, or one run of 30 digits", () => {
  const d = Array.from({ length: 30 }, (_, t) => (7 * t) % 10);
  assertEquals(parseDigits(d.join(" ")), d);
  assertEquals(parseDigits(d.join(", ")), d);
  assertEquals(parseDigits(d.join("")), d);
  assertThrows(() => parseDigits(d.join(",") + ",1"), InputError, "argument: expected 30 digits, got 31");
});
