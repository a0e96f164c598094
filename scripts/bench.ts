/**
 * Times the trainers on identical batches: the median ms per batch of forward, backward and
 * Adam step, after warm-up, for the fast trainer (2 threads and 1), the reference trainer and,
 * when `python3` has torch, the PyTorch CPU anchor `../shared/bench/torch_lstm.py`, all in one run.
 *
 *   deno task bench                     # 20 timed batches each
 *   deno task bench --batches 40 --json # last line: one JSON object
 *   deno task bench --no-torch          # skip the PyTorch anchor
 * @module
 */
import { parseFlags, runCli } from "./args.ts";
import {
  batchOf,
  buildModel,
  initBackend,
  type LstmWeights,
  makeOptimizer,
  modelVariables,
  ParallelGradients,
  referenceGradients,
  tf,
  WEIGHT_NAMES,
} from "../src/train/mod.ts";
import { DEFAULT_CONFIG, epochPermutation, INPUT_DIVISOR, makeDataset } from "../mod.ts";

const TORCH_SCRIPT = new URL("../../shared/bench/torch_lstm.py", import.meta.url).pathname;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function timeTrainer(trainer: "fast" | "reference", threads: number, batches: number, warmup: number) {
  const config = { ...DEFAULT_CONFIG, trainer, threads };
  const data = makeDataset({ seed: config.seed });
  const order = epochPermutation({ seed: config.seed, epoch: 0, size: config.trainSize });
  const model = buildModel(config);
  const vars = modelVariables(model);
  const optimizer = makeOptimizer(config);
  const pool = trainer === "fast" ? ParallelGradients.start(threads) : undefined;
  const times: number[] = [];
  try {
    for (let b = 0; b < warmup + batches; b++) {
      const rows = order.subarray(b * 50, (b + 1) * 50);
      const batch = batchOf(data.train, config.seriesLength, INPUT_DIVISOR[config.inputScaling], rows);
      const start = performance.now();
      const { grads } = pool
        ? await pool.gradients(vars as unknown as LstmWeights, batch)
        : referenceGradients(model, batch);
      optimizer.applyGradients(WEIGHT_NAMES.map((n) => ({ name: vars[n].name, tensor: grads[n] })));
      tf.dispose(Object.values(grads));
      vars.kernel.dataSync(); // wait for the update
      if (b >= warmup) times.push(performance.now() - start);
    }
  } finally {
    pool?.close();
    optimizer.dispose();
    model.dispose();
  }
  return { msPerBatch: Number(median(times).toFixed(2)), threads: trainer === "fast" ? threads : 1, batches };
}

async function timeTorch(batches: number) {
  const env: Record<string, string> = { ...Deno.env.toObject(), OPENBLAS_NUM_THREADS: "1" };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  try {
    const out = await new Deno.Command("python3", {
      args: [TORCH_SCRIPT, "--epochs", "1", "--threads", "1", "--batches", String(batches + 5)],
      env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) return { error: new TextDecoder().decode(out.stderr).trim().split("\n").pop() };
    const line = new TextDecoder().decode(out.stdout).trim().split("\n").pop()!;
    const r = JSON.parse(line);
    return { msPerBatch: r.msPerBatch as number, threads: 1, torch: r.torch as string };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

await runCli(async () => {
  const { flags, positionals } = parseFlags(Deno.args, {
    batches: { type: "int", min: 1, max: 160 },
    json: { type: "bool" },
    "no-torch": { type: "bool" },
  });
  if (positionals.length) throw new RangeError(`Unexpected argument "${positionals[0]}"`);
  const batches = flags.batches ?? 20;
  await initBackend();
  const log = (s: string) => console.log(s);
  const fast = await timeTrainer("fast", DEFAULT_CONFIG.threads, batches, 3);
  log(`fast (${fast.threads} threads):  ${fast.msPerBatch} ms/batch`);
  const fast1 = await timeTrainer("fast", 1, batches, 3);
  log(`fast (1 thread):    ${fast1.msPerBatch} ms/batch`);
  const reference = await timeTrainer("reference", 1, Math.min(batches, 10), 1);
  log(`reference:          ${reference.msPerBatch} ms/batch`);
  const ratio = Number((fast.msPerBatch / reference.msPerBatch).toFixed(4));
  log(`fast / reference:   ${ratio} (${(reference.msPerBatch / fast.msPerBatch).toFixed(1)}x faster)`);
  const result: Record<string, unknown> = { fast, fast1Thread: fast1, reference, ratio };
  if (!flags["no-torch"]) {
    const torch = await timeTorch(batches);
    result.torch = torch;
    if ("msPerBatch" in torch && torch.msPerBatch) {
      result.ratioTorch = Number((fast.msPerBatch / torch.msPerBatch).toFixed(4));
      result.ratioTorch1Thread = Number((fast1.msPerBatch / torch.msPerBatch).toFixed(4));
      log(`pytorch cpu (1 thread, torch ${torch.torch}): ${torch.msPerBatch} ms/batch`);
      log(`fast / pytorch:     ${result.ratioTorch} (fast 1 thread / pytorch: ${result.ratioTorch1Thread})`);
    } else {
      log(`pytorch anchor not run: ${torch.error}`);
    }
  }
  if (flags.json) log(JSON.stringify(result));
});
