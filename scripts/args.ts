/**
 * A small, strict flag parser shared by the CLIs: unknown flags and bad values are errors.
 * @module
 */

/** A command-line mistake; CLIs print its message and exit with code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** How one flag is read. */
export type FlagSpec =
  | { type: "int"; min?: number; max?: number }
  | { type: "string" }
  | { type: "bool" }
  | { type: "enum"; values: readonly string[] };

type Value<S extends FlagSpec> = S extends { type: "int" } ? number
  : S extends { type: "bool" } ? boolean
  : string;

/**
 * Parses `--name value`, `--name=value` and boolean `--name` flags, plus positionals.
 *
 * @param argv The arguments.
 * @param specs The accepted flags.
 * @returns The flags given and the positionals.
 * @throws {UsageError} An unknown flag, a missing value or a bad value, named.
 */
export function parseFlags<T extends Record<string, FlagSpec>>(
  argv: readonly string[],
  specs: T,
): { flags: { [K in keyof T]?: Value<T[K]> }; positionals: string[] } {
  const flags: Record<string, unknown> = {};
  const positionals: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k];
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = specs[name];
    if (!spec) {
      throw new UsageError(
        `Unknown flag --${name}; accepted: ${Object.keys(specs).map((s) => `--${s}`).join(", ")}`,
      );
    }
    if (spec.type === "bool") {
      if (eq >= 0) {
        throw new UsageError(
          `Flag --${name} takes no value, got "${arg.slice(eq + 1)}"`,
        );
      }
      flags[name] = true;
      continue;
    }
    const raw = eq >= 0 ? arg.slice(eq + 1) : argv[++k];
    if (raw === undefined) throw new UsageError(`Flag --${name} needs a value`);
    if (spec.type === "int") {
      const min = spec.min ?? 0;
      const max = spec.max ?? Number.MAX_SAFE_INTEGER;
      const value = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(value) || value < min || value > max) {
        throw new UsageError(
          `Flag --${name} must be an integer in [${min}, ${max}], got "${raw}"`,
        );
      }
      flags[name] = value;
    } else if (spec.type === "enum") {
      if (!spec.values.includes(raw)) {
        throw new UsageError(
          `Flag --${name} must be one of ${spec.values.join(", ")}, got "${raw}"`,
        );
      }
      flags[name] = raw;
    } else {
      if (raw === "") throw new UsageError(`Flag --${name} must not be empty`);
      flags[name] = raw;
    }
  }
  return { flags: flags as { [K in keyof T]?: Value<T[K]> }, positionals };
}

/**
 * Runs a CLI's main, turning a {@link UsageError} into its message and exit code 2.
 *
 * @param main The CLI body.
 */
export async function runCli(main: () => Promise<void> | void): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (
      error instanceof UsageError || error instanceof RangeError ||
      error instanceof TypeError
    ) {
      console.error(`error: ${error.message}`);
      Deno.exit(2);
    }
    throw error;
  }
}
