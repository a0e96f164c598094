/**
 * A CLI for the tests of `runCli()`: `--throw KIND` makes its body fail in one way, so that the
 * tests can pin the exit code and stderr of each kind of error.
 * @module
 */
import { asUsageError, defineCommand, runCli, UsageError } from "../scripts/args.ts";
import { resolveConfig } from "../src/core/spec.ts";

class ExpectedFailure extends Error {
  override name = "ExpectedFailure";
}

const command = defineCommand({
  name: "fixture",
  summary: "Fails on purpose, one way per --throw value.",
  flags: {
    throw: {
      type: "enum",
      values: ["none", "usage", "range", "type", "input", "missing-file", "wrapped-io", "expected"],
      default: "none",
      help: "how the body fails",
    },
  },
  positionals: { name: "WORD", help: "echoed back", min: 0, max: 2 },
});

await runCli(command, async ({ flags, positionals }) => {
  switch (flags.throw) {
    case "usage":
      throw new UsageError(`Bad word "x"`);
    case "range": // a library bug, not a usage error
      throw new RangeError("Offset 7 is outside the bounds of the buffer");
    case "type": // a library bug, not a usage error
      (undefined as unknown as { size: number }).size;
      break;
    case "input": // bad user input caught by a core check, converted at the boundary
      asUsageError(() => resolveConfig({ epochs: 0 }), RangeError, TypeError);
      break;
    case "missing-file":
      await Deno.readTextFile("/nonexistent-dir/metrics.json");
      break;
    case "wrapped-io":
      try {
        await Deno.readTextFile("/nonexistent-dir/model.onnx");
      } catch (e) {
        throw new Error("Cannot read /nonexistent-dir/model.onnx", { cause: e });
      }
      break;
    case "expected":
      throw new ExpectedFailure("The model directory is incomplete");
  }
  console.log(`ran ${positionals.join(" ")}`.trim());
}, { failures: [ExpectedFailure] });
