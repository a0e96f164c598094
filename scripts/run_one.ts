/**
 * Makes one run of a plan and writes its run file atomically; started by `deno task runs`,
 * one process per run. It exits as soon as its standard input closes, which happens when the
 * runner that started it stops, however it stopped.
 *
 *   deno run --allow-read --allow-write=models scripts/run_one.ts --spec '{"variant":...}' --out FILE
 * @module
 */
import { defineCommand, runCli, UsageError } from "./args.ts";
import type { RunSpec } from "../src/core/plan.ts";
import { resolveConfig } from "../src/core/spec.ts";
import { writeRunRecord } from "../src/runner/record.ts";
import { atomicTempPath } from "../src/io/atomic.ts";
import { trainRun } from "../src/runner/variants.ts";
import { initBackend } from "../src/train/mod.ts";

const command = defineCommand({
  name: "run_one",
  summary: "Makes one run of a plan (started by `deno task runs`).",
  flags: {
    spec: { type: "string", help: "the run, as the JSON of a RunSpec" },
    out: { type: "string", help: "the run file to write" },
  },
});

await runCli(command, async ({ flags }) => {
  if (!flags.spec || !flags.out) throw new UsageError("Flags --spec and --out are both required");
  const out = flags.out;
  let run: RunSpec;
  try {
    const parsed = JSON.parse(flags.spec);
    run = { variant: parsed.variant, config: resolveConfig(parsed.config) };
  } catch (error) {
    throw new UsageError(`Flag --spec must be a run's JSON: ${(error as Error).message}`);
  }
  // the parent holds our stdin open; when it goes, stop at once, leaving no file: not even the run file's temp
  // file, if the parent went while it was being written (removed and exited with no await between)
  (async () => {
    for await (const _ of Deno.stdin.readable) { /* nothing is sent */ }
    try {
      Deno.removeSync(atomicTempPath(out));
    } catch { /* none written */ }
    Deno.exit(3);
  })();
  await initBackend();
  const record = await trainRun(run);
  await writeRunRecord(out, record);
  Deno.exit(0);
});
