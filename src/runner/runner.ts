/**
 * Runs a plan's runs as child processes, `jobs` at a time, skipping every run whose file
 * exists. Each child writes its run file atomically and dies with its parent (it watches its
 * standard input, which closes when the parent goes, however the parent was stopped), so a
 * plan killed at any moment and started again loses nothing and runs nothing twice. A run file's
 * temp file that a child killed mid-write left behind is removed when its run starts again; two
 * runners must therefore not share a run (shards of one plan never do).
 * @module
 */
import { runName, type RunSpec } from "../core/plan.ts";
import { pathExists, removeStaleTemps } from "../io/atomic.ts";

/** What the runner reports. */
export type RunnerEvent =
  | { kind: "plan"; total: number; done: number; todo: number }
  | { kind: "start"; run: RunSpec; name: string }
  | { kind: "finish"; run: RunSpec; name: string; seconds: number; done: number; total: number; etaSeconds: number }
  | { kind: "fail"; run: RunSpec; name: string; code: number; stderr: string };

/** Options of {@link runPlan}. */
export interface RunPlanOptions {
  /** The runs to make (a plan, or one shard of it). */
  runs: readonly RunSpec[];
  /** Where the run files go, one per run, named by {@link runName}. */
  outDir: string;
  /** Runs at once, each its own process. */
  jobs: number;
  /** Starts the process that makes one run and writes `path`, with stdin and stderr piped. */
  spawn: (run: RunSpec, path: string) => Deno.ChildProcess;
  /** Progress. */
  onEvent?: (event: RunnerEvent) => void;
}

/**
 * Makes every run whose file is missing.
 *
 * @param options Runs, folder, jobs, how to start a run, progress.
 * @returns The names of the runs that failed (their files stay missing).
 */
export async function runPlan(options: RunPlanOptions): Promise<string[]> {
  const { runs, outDir, jobs } = options;
  await Deno.mkdir(outDir, { recursive: true });
  const todo: RunSpec[] = [];
  for (const run of runs) if (!(await pathExists(`${outDir}/${runName(run)}`))) todo.push(run);
  // a child killed between writing its temp file and renaming it leaves that file; its run starts again here
  for (const run of todo) await removeStaleTemps(`${outDir}/${runName(run)}`);
  let done = runs.length - todo.length;
  options.onEvent?.({ kind: "plan", total: runs.length, done, todo: todo.length });
  const failed: string[] = [];
  const times: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const run = todo[next++];
      const name = runName(run);
      options.onEvent?.({ kind: "start", run, name });
      const started = performance.now();
      const child = options.spawn(run, `${outDir}/${name}`);
      const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
      await child.stdin.close().catch(() => {});
      const seconds = (performance.now() - started) / 1000;
      if (status.success) {
        done++;
        times.push(seconds);
        const mean = times.reduce((a, b) => a + b, 0) / times.length;
        const left = runs.length - done;
        options.onEvent?.({
          kind: "finish",
          run,
          name,
          seconds,
          done,
          total: runs.length,
          etaSeconds: (mean * left) / Math.min(jobs, Math.max(left, 1)),
        });
      } else {
        failed.push(name);
        options.onEvent?.({ kind: "fail", run, name, code: status.code, stderr });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, todo.length)) }, worker));
  return failed;
}
