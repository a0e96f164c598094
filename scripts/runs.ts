/**
 * Runs an experiment plan (variants × seeds), resumably, and summarises whatever run files
 * exist with their uncertainty.
 *
 *   deno task runs --plan spec --seeds 1-10            # 10 runs, one at a time; kill and re-run at will
 *   deno task runs --plan imbalance --jobs 2           # two runs at once, as separate processes
 *   deno task runs --plan spec --shard 0/4             # this machine's quarter of the grid
 *   deno task runs --plan spec --summary               # only read the run files and summarise
 * @module
 */
import { asUsageError, defineCommand, runCli } from "./args.ts";
import { parseSeeds, parseShard, planRuns, PLANS, selectArms, shardRuns } from "../src/core/plan.ts";
import { runPlan } from "../src/runner/runner.ts";
import { formatDuration, summarizePlan } from "../src/runner/summary.ts";

const RUN_ONE = new URL("./run_one.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

const command = defineCommand({
  name: "runs",
  summary: "Runs a plan of variants × seeds (resumable, shardable) and summarises its run files.",
  flags: {
    plan: { type: "enum", values: Object.keys(PLANS), default: "spec", help: "the grid to run" },
    seeds: { type: "string", arg: "LIST", help: "seeds instead of the plan's own: 7, 1-10 or 1,3,5" },
    arms: { type: "string", arg: "LIST", help: "run only these arms of the plan (e.g. spec,forget-bias-5)" },
    jobs: { type: "int", min: 1, max: 16, default: 1, help: "runs at once, each its own process" },
    shard: { type: "string", arg: "I/N", help: "run only share I of N of the grid (0 <= I < N)" },
    out: { type: "string", arg: "DIR", default: "models/runs", help: "folder of the run files" },
    summary: { type: "bool", help: "run nothing: summarise the run files that exist" },
    json: { type: "bool", help: "print the summary as JSON" },
  },
  examples: [
    "--plan spec --seeds 1-10",
    "--plan imbalance --jobs 2",
    "--plan spec --shard 0/4",
    "--plan boundary --arms spec,forget-bias-5 --jobs 2",
    "--plan spec --summary",
  ],
});

await runCli(command, async ({ flags }) => {
  const plan = PLANS[flags.plan];
  const seeds = flags.seeds === undefined ? plan.seeds : asUsageError(() => parseSeeds(flags.seeds!), RangeError);
  const grid = planRuns(plan, seeds);
  const chosen = flags.arms === undefined
    ? grid
    : planRuns(asUsageError(() => selectArms(plan, flags.arms!), RangeError), seeds);
  const shard = flags.shard === undefined
    ? { index: 0, count: 1 }
    : asUsageError(() => parseShard(flags.shard!), RangeError);
  const mine = shardRuns(chosen, shard);
  const out = flags.out;
  const log = (s: string) => console.error(s);

  if (!flags.summary) {
    const failed = await runPlan({
      runs: mine,
      outDir: out,
      jobs: flags.jobs,
      spawn: (run, path) =>
        new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "--config",
            CONFIG,
            "--allow-read",
            `--allow-write=${out}`,
            RUN_ONE,
            "--spec",
            JSON.stringify(run),
            "--out",
            path,
          ],
          stdin: "piped",
          stdout: "null",
          stderr: "piped",
        }).spawn(),
      onEvent: (e) => {
        if (e.kind === "plan") {
          log(
            `plan ${flags.plan}: ${e.total} runs` + (shard.count > 1 ? ` in shard ${shard.index}/${shard.count}` : "") +
              `, ${e.done} done, ${e.todo} to run, ${flags.jobs} at a time -> ${out}/`,
          );
        } else if (e.kind === "start") {
          log(`  start  ${e.name}`);
        } else if (e.kind === "finish") {
          log(
            `  [${e.done}/${e.total}] ${e.name} in ${formatDuration(e.seconds)}` +
              (e.done < e.total ? `, ETA ${formatDuration(e.etaSeconds)}` : ""),
          );
        } else {
          log(`  FAILED ${e.name} (exit ${e.code}): ${e.stderr.trim().split("\n").slice(-3).join(" | ")}`);
        }
      },
    });
    if (failed.length) {
      log(`${failed.length} run(s) failed; run the same command again to retry them`);
    }
    if (failed.length) Deno.exitCode = 1;
  }

  const summary = await summarizePlan({ runs: grid, outDir: out });
  if (flags.json) console.log(JSON.stringify(summary));
  else console.log(summary.text);
});
