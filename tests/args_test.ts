import { assert, assertEquals, assertFalse, assertStringIncludes, assertThrows } from "@std/assert";
import { asUsageError, defineCommand, formatHelp, isIoError, parseArgs, UsageError } from "../scripts/args.ts";

const DEMO = defineCommand({
  name: "demo",
  summary: "A demo command.",
  flags: {
    epochs: { type: "int", min: 1, max: 9, default: 3, help: "passes over the data" },
    out: { type: "string", arg: "DIR", help: "where to write" },
    quiet: { type: "bool", help: "say less" },
    split: { type: "enum", values: ["a", "b"], default: "a", help: "which split" },
  },
  positionals: { name: "DIGITS", help: "one series", min: 0, max: 1 },
});

Deno.test("parseArgs() reads --name value, --name=value and boolean flags, and fills in defaults", () => {
  assertEquals(parseArgs(["--epochs", "4", "--out=x", "--quiet", "pos"], DEMO), {
    flags: { epochs: 4, out: "x", quiet: true, split: "a" },
    positionals: ["pos"],
  });
  const none = parseArgs([], DEMO);
  assertEquals(none, { flags: { epochs: 3, out: undefined, quiet: false, split: "a" }, positionals: [] });
  // the types follow the table: a flag with a default is never undefined, an enum is its union
  const epochs: number = none.flags.epochs;
  const split: "a" | "b" = none.flags.split;
  const out: string | undefined = none.flags.out;
  assertEquals([epochs, split, out], [3, "a", undefined]);
});

Deno.test("parseArgs() rejects unknown flags, missing values and bad values, naming them", () => {
  assertThrows(
    () => parseArgs(["--epoch", "3"], DEMO),
    UsageError,
    "Unknown flag --epoch; accepted: --epochs, --out, --quiet, --split, --help",
  );
  assertThrows(() => parseArgs(["--epochs"], DEMO), UsageError, "Flag --epochs needs a value");
  assertThrows(
    () => parseArgs(["--epochs", "0"], DEMO),
    UsageError,
    'Flag --epochs must be an integer in [1, 9], got "0"',
  );
  assertThrows(
    () => parseArgs(["--epochs", "2x"], DEMO),
    UsageError,
    'Flag --epochs must be an integer in [1, 9], got "2x"',
  );
  assertThrows(() => parseArgs(["--split", "c"], DEMO), UsageError, 'Flag --split must be one of a, b, got "c"');
  assertThrows(() => parseArgs(["--quiet=yes"], DEMO), UsageError, 'Flag --quiet takes no value, got "yes"');
  assertThrows(() => parseArgs(["--out", ""], DEMO), UsageError, "Flag --out must not be empty");
});

Deno.test("parseArgs() checks the number of positionals against the declared spec", () => {
  assertThrows(
    () => parseArgs(["1,2", "3,4"], DEMO),
    UsageError,
    'Unexpected argument "3,4": demo takes at most 1 DIGITS',
  );
  const none = defineCommand({ name: "plain", summary: "No positionals.", flags: {} });
  assertThrows(
    () => parseArgs(["x"], none),
    UsageError,
    'Unexpected argument "x": plain takes no positional arguments',
  );
  const two = defineCommand({
    name: "pair",
    summary: "Two files.",
    flags: {},
    positionals: { name: "FILE", help: "a file", min: 2, max: 2 },
  });
  assertThrows(() => parseArgs(["a"], two), UsageError, "Missing FILE: pair takes at least 2, got 1");
  assertEquals(parseArgs(["a", "b"], two).positionals, ["a", "b"]);
});

Deno.test("parseArgs() takes every argument after -- as a positional", () => {
  assertEquals(parseArgs(["--quiet", "--", "--epochs"], DEMO).positionals, ["--epochs"]);
});

Deno.test("parseArgs() knows only the table's flags: --constructor and --__proto__ are unknown", () => {
  for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
    assertThrows(() => parseArgs([`--${name}`, "1"], DEMO), UsageError, `Unknown flag --${name}`);
  }
});

Deno.test("parseArgs() cuts a huge bad value in its message", () => {
  const error = assertThrows(() => parseArgs(["--split", "z".repeat(100_000)], DEMO), UsageError);
  assert(error.message.length < 200, `message of ${error.message.length} characters`);
});

Deno.test("defineCommand() refuses a flag named help or h", () => {
  assertThrows(
    () => defineCommand({ name: "x", summary: "x", flags: { help: { type: "bool", help: "?" } } }),
    TypeError,
    "Flag --help is reserved for the help",
  );
  assertThrows(
    () => defineCommand({ name: "x", summary: "x", flags: { h: { type: "bool", help: "?" } } }),
    TypeError,
    "Flag --h is reserved for the help",
  );
});

Deno.test("formatHelp() prints the usage and every flag of the table with its help, default and range", () => {
  const help = formatHelp(DEMO);
  const lines = help.split("\n");
  assertEquals(lines[0], "A demo command.");
  assertStringIncludes(help, "Usage: deno task demo [flags] [DIGITS]");
  const line = (label: string) => lines.find((l) => l.trimStart().startsWith(label)) ?? "";
  assertStringIncludes(line("DIGITS"), "one series");
  assertStringIncludes(line("--epochs N"), "passes over the data (default 3; 1..9)");
  assertStringIncludes(line("--out DIR"), "where to write");
  assertStringIncludes(line("--quiet"), "say less");
  assertStringIncludes(line("--split a|b"), "which split (default a)");
  assertStringIncludes(line("-h, --help"), "print this help and exit");
  assert(help.endsWith("\n"));
});

Deno.test("asUsageError() turns only the named error classes into a UsageError, keeping the message", () => {
  const bad = () => {
    throw new RangeError("Seed must be an integer in [0, 4294967295], got -1");
  };
  const error = assertThrows(
    () => asUsageError(bad, RangeError),
    UsageError,
    "Seed must be an integer in [0, 4294967295], got -1",
  );
  assert(error.cause instanceof RangeError);
  assertThrows(() => asUsageError(bad, TypeError), RangeError);
  assertEquals(asUsageError(() => 7, RangeError), 7);
});

Deno.test("isIoError() recognises Deno's I/O errors, errno codes and causes, and nothing else", () => {
  let notFound: unknown;
  try {
    Deno.readTextFileSync("/nonexistent-dir/x");
  } catch (e) {
    notFound = e;
  }
  assert(isIoError(notFound));
  assert(isIoError(Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" })));
  assert(isIoError(new Error("Cannot read x", { cause: notFound })));
  assertFalse(isIoError(new RangeError("Offset 7 is outside the bounds")));
  assertFalse(isIoError(new TypeError("x is not a function")));
  assertFalse(isIoError(new UsageError("Unknown flag --x")));
  assertFalse(isIoError("ENOENT"));
});
