/**
 * Times one training iteration of the H6.1 networks (forward, backward, optimizer update: `mnistStep`)
 * on the spec's configs and the run's own batches, and prints ms per iteration and what the spec's
 * iterations cost at that speed. The models take turns iteration by iteration, so that all see the
 * same machine (on a shared VM the speed drifts by tens of percent within minutes); each round builds
 * them afresh, runs untimed warm-up iterations, then the timed ones. Writes nothing.
 *
 *   deno run --allow-read=node_modules scripts/bench_mnist.ts                    # all four, 3 rounds of 10
 *   deno run --allow-read=node_modules scripts/bench_mnist.ts --model cnn --rounds 5
 *   deno run --allow-read=node_modules scripts/bench_mnist.ts --json             # last line: one JSON object
 *
 * The estimate covers the updates only: the evaluation on the test split every 100 iterations and the
 * final one come on top.
 * @module
 */
import { defineCommand, runCli } from "./args.ts";
import { initBackend } from "../src/train/backend.ts";
import { loadMnist, splitMnist, takeRows } from "../src/mnist/data.ts";
import { buildMnistModel, mnistStep, mnistVariables } from "../src/mnist/model.ts";
import { MNIST_MODELS, type MnistModel, resolveMnistConfig } from "../src/mnist/spec.ts";
import { batchRows, makeMnistOptimizer } from "../src/mnist/train.ts";
import { median } from "../src/core/stats.ts";

/** Untimed iterations per model and round (the first builds XNNPACK's operators and grows the heap). */
const WARMUP = 2;

const round2 = (x: number) => Number(x.toFixed(2));

/** Seconds as `42 s`, `12.5 min` or `3.3 h`. */
function duration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(0)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

const command = defineCommand({
  name: "bench-mnist",
  summary: "Times one H6.1 training iteration (forward, backward, update) per model, and the full run at that speed.",
  flags: {
    model: {
      type: "enum",
      values: ["all", ...MNIST_MODELS],
      default: "all",
      help: "the network to time, or all four taking turns",
    },
    iterations: { type: "int", min: 1, max: 1000, default: 10, help: "timed iterations per model and round" },
    rounds: { type: "int", min: 1, max: 50, default: 3, help: "repetitions, each with fresh models" },
    json: { type: "bool", help: "end with one line of JSON" },
  },
  examples: ["", "--model cnn --rounds 5", "--iterations 20 --json"],
});

await runCli(command, async ({ flags }) => {
  await initBackend();
  const models: MnistModel[] = flags.model === "all" ? [...MNIST_MODELS] : [flags.model as MnistModel];
  const configs = models.map((model) => resolveMnistConfig({ model }));
  // every config splits the same way (the spec's seed), so one split serves all
  const { train } = splitMnist(await loadMnist(), configs[0]);
  const log = (s: string) => console.log(s);
  log(
    `one iteration = ${configs[0].batchSize} images: ${WARMUP} warm-up and ${flags.iterations} timed ` +
      `iterations per model, ${flags.rounds} round(s)`,
  );
  const perRound = new Map<MnistModel, number[]>(models.map((m) => [m, []]));
  for (let r = 0; r < flags.rounds; r++) {
    const runners = configs.map((config) => {
      const model = buildMnistModel(config);
      const optimizer = makeMnistOptimizer(config);
      const fence = mnistVariables(model).at(-1)!.variable; // output/bias: 10 values to read back
      const times: number[] = [];
      return {
        config,
        times,
        step(i: number) {
          const rows = batchRows({
            seed: config.seed,
            trainSize: train.size,
            batchSize: config.batchSize,
            iteration: i,
          });
          const batch = takeRows(train, rows);
          const start = performance.now();
          mnistStep({ model, config, optimizer }, batch, i);
          fence.dataSync(); // the update has run (WASM kernels are synchronous; this makes sure)
          if (i >= WARMUP) times.push(performance.now() - start);
        },
        close() {
          optimizer.dispose();
          model.dispose();
        },
      };
    });
    for (let i = 0; i < WARMUP + flags.iterations; i++) for (const runner of runners) runner.step(i);
    const parts = runners.map((runner) => {
      runner.close();
      const ms = median(runner.times);
      perRound.get(runner.config.model)!.push(ms);
      return `${runner.config.model} ${round2(ms)} ms`;
    });
    log(`round ${r + 1}: ${parts.join(", ")} per iteration (median of ${flags.iterations})`);
  }
  const summary: Record<string, unknown> = {};
  for (const config of configs) {
    const xs = perRound.get(config.model)!;
    const ms = median(xs);
    const seconds = (ms * config.iterations) / 1000;
    summary[config.model] = {
      msPerIteration: { median: round2(ms), min: round2(Math.min(...xs)), max: round2(Math.max(...xs)) },
      iterations: config.iterations,
      fullRunSeconds: Math.round(seconds),
    };
    log(
      `${config.model.padEnd(11)} median ${round2(ms)} ms per iteration (min ${round2(Math.min(...xs))}, max ${
        round2(Math.max(...xs))
      } over ${xs.length} rounds); ${config.iterations.toLocaleString("en-US")} iterations: ${duration(seconds)}`,
    );
  }
  if (flags.json) {
    log(JSON.stringify({ warmup: WARMUP, iterations: flags.iterations, rounds: flags.rounds, models: summary }));
  }
});
