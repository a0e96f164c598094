import { assert, assertEquals, assertThrows } from "@std/assert";
import fc from "fast-check";
import {
  checkDigitArray,
  decide,
  InputError,
  parseDigitFields,
  parseSeriesText,
  splitSeriesText,
} from "../src/core/digits.js";
import { InputError as CoreInputError } from "../mod.ts";

const options = { length: 30, digitValues: 10 };
const digits30 = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 30, maxLength: 30 });

Deno.test("parseSeriesText() reads commas, spaces, both, or one run of digits, all the same", () => {
  fc.assert(fc.property(digits30, fc.constantFrom(",", " ", ", ", " ,  ", "\t"), (d, sep) => {
    assertEquals(parseSeriesText(d.join(sep), options), d);
    assertEquals(parseSeriesText(` ${d.join(sep)} `, options), d);
    assertEquals(parseSeriesText(d.join(""), options), d);
  }));
});

Deno.test("parseSeriesText() names the count or the column and text of a bad field", () => {
  assertThrows(() => parseSeriesText("1,2,3", options), InputError, "Expected 30 digits, got 3");
  assertThrows(() => parseSeriesText("", options), InputError, "Expected 30 digits, got 0");
  const bad = (k: number, v: string) => Array.from({ length: 30 }, (_, i) => (i === k ? v : "5")).join(",");
  assertThrows(() => parseSeriesText(bad(2, "x"), options), InputError, 'Column 3: expected a digit 0..9, got "x"');
  assertThrows(() => parseSeriesText(bad(29, "12"), options), InputError, "Column 30: expected a digit 0..9, got 12");
  assertThrows(() => parseSeriesText(bad(0, "-1"), options), InputError, "Column 1: expected a digit 0..9, got -1");
  assertThrows(
    () => parseSeriesText(bad(4, ""), { ...options, where: "argument" }),
    InputError,
    'argument, column 5: expected a digit 0..9, got ""',
  );
  assertThrows(
    () => parseSeriesText("1 2 9", { length: 3, digitValues: 9 }),
    InputError,
    "Column 3: expected a digit 0..8, got 9",
  );
});

Deno.test("splitSeriesText() keeps an empty field between commas, so that it can be reported", () => {
  assertEquals(splitSeriesText("1,,2"), ["1", "", "2"]);
  assertEquals(splitSeriesText("1 , 2  3"), ["1", "2", "3"]);
  assertEquals(splitSeriesText("   "), []);
});

Deno.test("parseDigitFields() and checkDigitArray() accept exactly the digits 0..digitValues-1", () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: -3, max: 12 }), (digitValues, d) => {
    const ok = d >= 0 && d < digitValues;
    const text = () => parseDigitFields([String(d)], { length: 1, digitValues });
    const json = () => checkDigitArray([d], { length: 1, digitValues, where: "s" });
    if (ok) {
      assertEquals([text(), json()], [[d], [d]]);
    } else {
      assertThrows(text, InputError);
      assertThrows(json, InputError, `s[0] must be a digit 0..${digitValues - 1}, got ${d}`);
    }
  }));
});

Deno.test("InputError is one class for the core, the server and the page, with an HTTP status", () => {
  const e = new InputError("bad", 413);
  assertEquals([e.name, e.message, e.status, new InputError("x").status], ["InputError", "bad", 413, 400]);
  assertEquals(CoreInputError, InputError);
});

Deno.test("decide() is monotone: a larger probability never gets a smaller class", () => {
  fc.assert(
    fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, b) => {
      if (a <= b) assert(decide(a) <= decide(b), `decide(${a}) > decide(${b})`);
    }),
  );
});
