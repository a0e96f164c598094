/**
 * The CLI layer shared by every `deno task`: one table per command declares its flags and
 * positional arguments with a help string each; the same table parses `Deno.args` and prints
 * `--help`.
 *
 * Exit codes, decided in one place ({@link runCli}):
 * - 0: success, and `--help` / `-h` (the help goes to stdout);
 * - 2: a {@link UsageError} (an unknown flag, a bad value, a bad argument or bad input), one line;
 * - 1: an I/O failure (a missing file, no permission, a full disk, ...), one line; or a bug,
 *   which keeps its stack trace.
 * @module
 */

/** A command-line or input mistake: the only error that {@link runCli} turns into exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** How one flag is read, with the help line `--help` prints for it. */
export type FlagSpec =
  | {
    type: "int";
    help: string;
    min?: number;
    max?: number;
    default?: number;
    /** The value's name in the help, e.g. `N`. */
    arg?: string;
  }
  | { type: "string"; help: string; default?: string; arg?: string }
  | { type: "bool"; help: string }
  | { type: "enum"; help: string; values: readonly string[]; default?: string };

/** The positional arguments a command takes: how many, and what they are. */
export interface PositionalSpec {
  /** Their name in the usage line, e.g. `DIGITS`. */
  name: string;
  /** What they are, for `--help`. */
  help: string;
  /** Fewest accepted. */
  min: number;
  /** Most accepted. */
  max: number;
}

/** A command's table: what `--help` prints and what the parser accepts. */
export interface CommandSpec<F extends Record<string, FlagSpec>> {
  /** The task name, as in `deno task NAME`. */
  name: string;
  /** One line: what the command does. */
  summary: string;
  /** The accepted flags, by name without the dashes. `help` and `h` are reserved. */
  flags: F;
  /** The positional arguments; none when absent. */
  positionals?: PositionalSpec;
  /** Example invocations (without `deno task NAME`), printed last. */
  examples?: readonly string[];
}

type BaseValue<S> = S extends { type: "int" } ? number
  : S extends { type: "enum"; values: readonly (infer V)[] } ? V
  : string;

/** The value a flag parses to: booleans default to false, flags with a default are always set. */
export type FlagValue<S extends FlagSpec> = S extends { type: "bool" } ? boolean
  : S extends { default: BaseValue<S> } ? BaseValue<S>
  : BaseValue<S> | undefined;

/** What {@link parseArgs} returns: every flag (typed, defaults applied) and the positionals. */
export interface ParsedArgs<F extends Record<string, FlagSpec>> {
  /** Each declared flag's value. */
  flags: { [K in keyof F]: FlagValue<F[K]> };
  /** The positional arguments, in order. */
  positionals: string[];
}

const HELP_FLAGS = ["--help", "-h"];

/**
 * Declares a command. It only returns its argument, but keeps enum values as literal types, so
 * that `flags.trainer` comes back as `"fast" | "reference"` rather than `string`.
 *
 * @param spec The command's table.
 * @returns The same table.
 */
export function defineCommand<const F extends Record<string, FlagSpec>>(spec: CommandSpec<F>): CommandSpec<F> {
  for (const name of Object.keys(spec.flags)) {
    if (name === "help" || name === "h") throw new TypeError(`Flag --${name} is reserved for the help`);
  }
  return spec;
}

function accepted(flags: Record<string, FlagSpec>): string {
  return [...Object.keys(flags).map((s) => `--${s}`), "--help"].join(", ");
}

function readValue(name: string, spec: Exclude<FlagSpec, { type: "bool" }>, raw: string): number | string {
  if (spec.type === "int") {
    const min = spec.min ?? 0;
    const max = spec.max ?? Number.MAX_SAFE_INTEGER;
    const value = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new UsageError(`Flag --${name} must be an integer in [${min}, ${max}], got ${quote(raw)}`);
    }
    return value;
  }
  if (spec.type === "enum") {
    if (!spec.values.includes(raw)) {
      throw new UsageError(`Flag --${name} must be one of ${spec.values.join(", ")}, got ${quote(raw)}`);
    }
    return raw;
  }
  if (raw === "") throw new UsageError(`Flag --${name} must not be empty`);
  return raw;
}

/** Quotes a value for a message, cut to 60 characters so that a huge argument cannot flood it. */
function quote(raw: string): string {
  return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw);
}

/**
 * Parses `--name value`, `--name=value` and boolean `--name` flags, then the positionals; `--`
 * ends the flags. Flags not given take their default (booleans: false).
 *
 * @param argv The arguments, e.g. `Deno.args`.
 * @param command The command's table.
 * @returns The flags and the positionals.
 * @throws {UsageError} An unknown flag, a missing or bad value, or too few or too many
 * positionals, named with the value.
 */
export function parseArgs<F extends Record<string, FlagSpec>>(
  argv: readonly string[],
  command: CommandSpec<F>,
): ParsedArgs<F> {
  const specs: Record<string, FlagSpec> = command.flags;
  const flags: Record<string, unknown> = {};
  const positionals: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k];
    if (arg === "--") {
      positionals.push(...argv.slice(k + 1));
      break;
    }
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (!spec) throw new UsageError(`Unknown flag --${quote(name).slice(1, -1)}; accepted: ${accepted(specs)}`);
    if (spec.type === "bool") {
      if (eq >= 0) throw new UsageError(`Flag --${name} takes no value, got ${quote(arg.slice(eq + 1))}`);
      flags[name] = true;
      continue;
    }
    const raw = eq >= 0 ? arg.slice(eq + 1) : argv[++k];
    if (raw === undefined) throw new UsageError(`Flag --${name} needs a value`);
    flags[name] = readValue(name, spec, raw);
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (name in flags) continue;
    flags[name] = spec.type === "bool" ? false : spec.default;
  }
  const p = command.positionals;
  const max = p?.max ?? 0;
  if (positionals.length > max) {
    const what = p ? `at most ${max} ${p.name}` : "no positional arguments";
    throw new UsageError(`Unexpected argument ${quote(positionals[max])}: ${command.name} takes ${what}`);
  }
  if (p && positionals.length < p.min) {
    throw new UsageError(`Missing ${p.name}: ${command.name} takes at least ${p.min}, got ${positionals.length}`);
  }
  return { flags: flags as ParsedArgs<F>["flags"], positionals };
}

function flagLabel(name: string, spec: FlagSpec): string {
  switch (spec.type) {
    case "bool":
      return `--${name}`;
    case "enum":
      return `--${name} ${spec.values.join("|")}`;
    case "int":
      return `--${name} ${spec.arg ?? "N"}`;
    case "string":
      return `--${name} ${spec.arg ?? "VALUE"}`;
  }
}

/**
 * The `--help` text of a command, generated from the table that parses.
 *
 * @param command The command's table.
 * @returns The text, ending in a newline.
 */
export function formatHelp<F extends Record<string, FlagSpec>>(command: CommandSpec<F>): string {
  const specs: Record<string, FlagSpec> = command.flags;
  const p = command.positionals;
  const positional = !p ? "" : p.min > 0 ? ` ${p.name}` : ` [${p.name}]`;
  const rows: [string, string][] = Object.entries(specs).map(([name, spec]) => {
    const range = spec.type === "int" && (spec.min !== undefined || spec.max !== undefined)
      ? `; ${spec.min ?? 0}..${spec.max ?? Number.MAX_SAFE_INTEGER}`
      : "";
    const fallback = spec.type !== "bool" && spec.default !== undefined ? ` (default ${spec.default}${range})` : "";
    return [flagLabel(name, spec), spec.help + (fallback || (range ? ` (${range.slice(2)})` : ""))];
  });
  rows.push(["-h, --help", "print this help and exit"]);
  if (p) rows.unshift([p.name, p.help]);
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const lines = [
    command.summary,
    "",
    `Usage: deno task ${command.name}${Object.keys(specs).length ? " [flags]" : ""}${positional}`,
    "",
    ...rows.map(([label, help]) => `  ${label.padEnd(width)}${help}`),
  ];
  if (command.examples?.length) {
    lines.push("", "Examples:", ...command.examples.map((e) => `  deno task ${command.name} ${e}`.trimEnd()));
  }
  lines.push("", "Exit codes: 0 success, 1 failure (one line) or bug (stack trace), 2 usage or input error.");
  return lines.join("\n") + "\n";
}

/**
 * Runs a call that checks user input and turns its errors of the given classes into a
 * {@link UsageError} with the same message (the original is its `cause`). This is how a CLI
 * says "this library error is the user's mistake", e.g. `InputError` from the CSV parser or
 * `RangeError` from `resolveConfig`; the same classes thrown anywhere else stay bugs.
 *
 * @param fn The call, e.g. `() => parseCsv(text, file)`.
 * @param classes The error classes that mean bad input.
 * @returns What `fn` returns.
 * @throws {UsageError} For an error of one of `classes`.
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * const positive = (n: number) => {
 *   if (n <= 0) throw new RangeError(`Must be positive, got ${n}`);
 *   return n;
 * };
 * assertThrows(() => asUsageError(() => positive(-1), RangeError), UsageError, "Must be positive, got -1");
 * ```
 */
export function asUsageError<T>(fn: () => T, ...classes: (abstract new (...args: never[]) => Error)[]): T {
  try {
    return fn();
  } catch (error) {
    if (classes.some((c) => error instanceof c)) throw new UsageError((error as Error).message, { cause: error });
    throw error;
  }
}

/** Deno's errors that mean the outside world failed (files, permissions, disks, sockets), not the code. */
const IO_ERRORS: readonly (new (...args: never[]) => Error)[] = [
  Deno.errors.NotFound,
  Deno.errors.PermissionDenied,
  Deno.errors.NotCapable,
  Deno.errors.AlreadyExists,
  Deno.errors.IsADirectory,
  Deno.errors.NotADirectory,
  Deno.errors.FilesystemLoop,
  Deno.errors.Busy,
  Deno.errors.BrokenPipe,
  Deno.errors.WriteZero,
  Deno.errors.UnexpectedEof,
  Deno.errors.ConnectionRefused,
  Deno.errors.ConnectionReset,
  Deno.errors.ConnectionAborted,
  Deno.errors.NotConnected,
  Deno.errors.AddrInUse,
  Deno.errors.AddrNotAvailable,
  Deno.errors.NetworkUnreachable,
  Deno.errors.TimedOut,
];

/**
 * Whether an error, or any error in its `cause` chain, is an I/O failure: one of Deno's I/O
 * error classes, or an OS error with an errno code such as `ENOSPC` (what a write to /dev/full
 * throws).
 *
 * @param error Anything thrown.
 * @returns True for an I/O failure.
 */
export function isIoError(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (IO_ERRORS.some((c) => e instanceof c)) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z0-9]+$/.test(code)) return true;
  }
  return false;
}

/** Options of {@link runCli}. */
export interface RunOptions {
  /** The arguments; `Deno.args` when absent. */
  argv?: readonly string[];
  /** Error classes that are expected failures, not bugs: one line and exit code 1, like I/O failures. */
  failures?: readonly (abstract new (...args: never[]) => Error)[];
}

/**
 * Runs a CLI: prints the help for `--help` or `-h` (exit 0), else parses the arguments with the
 * command's table and calls `main`. A {@link UsageError} prints one line and exits 2; an I/O
 * failure (see {@link isIoError}) or one of `options.failures` prints one line and exits 1;
 * anything else is a bug and is rethrown with its stack trace (exit 1).
 *
 * Library errors about bad input (e.g. `InputError`) are not usage errors here: convert them
 * to a `UsageError` where the CLI passes user input to the library.
 *
 * @param command The command's table.
 * @param main The CLI body, given the parsed arguments.
 * @param options The arguments and the expected failure classes.
 */
export async function runCli<F extends Record<string, FlagSpec>>(
  command: CommandSpec<F>,
  main: (args: ParsedArgs<F>) => Promise<void> | void,
  options: RunOptions = {},
): Promise<void> {
  const argv = options.argv ?? Deno.args;
  const end = argv.indexOf("--");
  if ((end < 0 ? argv : argv.slice(0, end)).some((a) => HELP_FLAGS.includes(a))) {
    await writeAll(Deno.stdout, formatHelp(command));
    return;
  }
  try {
    await main(parseArgs(argv, command));
  } catch (error) {
    if (error instanceof UsageError) fail(error, 2);
    if (isIoError(error) || options.failures?.some((c) => error instanceof c)) fail(error as Error, 1);
    throw error;
  }
}

/** The message, and the cause's message when the message does not already hold it. */
function oneLine(error: Error): string {
  const cause = error.cause;
  const why = cause instanceof Error && !error.message.includes(cause.message) ? `: ${cause.message}` : "";
  return `${error.message}${why}`.split("\n")[0];
}

function fail(error: Error, code: number): never {
  try {
    console.error(`error: ${oneLine(error)}`);
  } catch {
    // stderr itself is gone: the exit code still tells
  }
  Deno.exit(code);
}

/**
 * Writes all of a text to a stream (`Deno.stdout.write` may write only part of it).
 *
 * @param stream E.g. `Deno.stdout`.
 * @param text The text, UTF-8 encoded.
 */
export async function writeAll(stream: { write(p: Uint8Array): Promise<number> }, text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  for (let done = 0; done < bytes.length;) done += await stream.write(bytes.subarray(done));
}
