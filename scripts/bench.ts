/**
 * Times the trainers on identical batches: the median ms per batch of forward, backward and
 * Adam step, after 3 warm-up batches, for the fast trainer (2 threads and 1) and the reference
 * trainer taking turns batch by batch, then, when python3 has torch, the PyTorch CPU anchor
 * `../shared/bench/torch_lstm.py` (1 thread), all in one run.
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
import { DEFAULT_CONFIG, epochPermutation, INPUT_SCALING, makeDataset } from "../mod.ts";

const TORCH_SCRIPT = new URL("../../shared/bench/torch_lstm.py", import.meta.url).pathname;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** One trainer with its own model and optimizer, stepped one batch at a time. */
function makeRunner(trainer: "fast" | "reference", threads: number) {
  const config = { ...DEFAULT_CONFIG, trainer, threads };
  const data = makeDataset({ seed: config.seed });
  const order = epochPermutation({ seed: config.seed, epoch: 0, size: config.trainSize });
  const model = buildModel(config);
  const vars = modelVariables(model);
  const optimizer = makeOptimizer(config);
  const pool = trainer === "fast" ? ParallelGradients.start(threads) : undefined;
  const times: number[] = [];
  let b = 0;
  return {
    times,
    /** Times forward, backward and the Adam step of the next batch. */
    async step(record: boolean) {
      const rows = order.subarray((b % 160) * 50, ((b % 160) + 1) * 50);
      b++;
      const batch = batchOf(data.train, config.seriesLength, INPUT_SCALING[config.inputScaling], rows);
      const start = performance.now();
      const { grads } = pool
        ? await pool.gradients(vars as unknown as LstmWeights, batch)
        : referenceGradients(model, batch);
      optimizer.applyGradients(WEIGHT_NAMES.map((n) => ({ name: vars[n].name, tensor: grads[n] })));
      tf.dispose(Object.values(grads));
      vars.kernel.dataSync(); // wait for the update
      if (record) times.push(performance.now() - start);
    },
    close() {
      pool?.close();
      optimizer.dispose();
      model.dispose();
    },
  };
}

const exists = (path: string) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
};

/** Runs the PyTorch anchor with the Debian python3 that has torch (or the python3 on PATH). */
async function timeTorch(batches: number) {
  const env: Record<string, string> = { ...Deno.env.toObject(), OPENBLAS_NUM_THREADS: "1" };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  try {
    const python = ["/usr/bin/python3", "python3"].find((p) => p !== "/usr/bin/python3" || exists(p)) ?? "python3";
    const out = await new Deno.Command(python, {
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
  // The trainers take turns, batch by batch, so that all see the same machine: on a shared VM
  // the speed drifts by tens of percent within minutes.
  const fastN = makeRunner("fast", DEFAULT_CONFIG.threads);
  const fast1 = makeRunner("fast", 1);
  const ref = makeRunner("reference", 1);
  const refEvery = 4; // the reference is ~7x slower: time it every 4th round
  for (let round = 0; round < 3 + batches; round++) {
    const record = round >= 3;
    await fastN.step(record);
    await fast1.step(record);
    if (round % refEvery === 0 || !record) await ref.step(record);
  }
  for (const r of [fastN, fast1, ref]) r.close();
  const summary = (r: typeof fastN, threads: number) => ({
    msPerBatch: Number(median(r.times).toFixed(2)),
    threads,
    batches: r.times.length,
  });
  const fast = summary(fastN, DEFAULT_CONFIG.threads);
  const fastOne = summary(fast1, 1);
  const reference = summary(ref, 1);
  log(`fast (${fast.threads} threads):  ${fast.msPerBatch} ms/batch`);
  log(`fast (1 thread):    ${fastOne.msPerBatch} ms/batch`);
  log(`reference:          ${reference.msPerBatch} ms/batch`);
  const ratio = Number((fast.msPerBatch / reference.msPerBatch).toFixed(4));
  log(`fast / reference:   ${ratio} (${(reference.msPerBatch / fast.msPerBatch).toFixed(1)}x faster)`);
  const result: Record<string, unknown> = { fast, fast1Thread: fastOne, reference, ratio };
  if (!flags["no-torch"]) {
    const torch = await timeTorch(batches);
    result.torch = torch;
    if ("msPerBatch" in torch && torch.msPerBatch) {
      result.ratioTorch = Number((fast.msPerBatch / torch.msPerBatch).toFixed(4));
      result.ratioTorch1Thread = Number((fastOne.msPerBatch / torch.msPerBatch).toFixed(4));
      log(`pytorch cpu (1 thread, torch ${torch.torch}): ${torch.msPerBatch} ms/batch`);
      log(`fast / pytorch:     ${result.ratioTorch} (fast 1 thread / pytorch: ${result.ratioTorch1Thread})`);
    } else {
      log(`pytorch anchor not run: ${torch.error}`);
    }
  }
  if (flags.json) log(JSON.stringify(result));
});
