import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import {
  checkpointPath,
  encodeCheckpoint,
  MODEL_FILES,
  modelPaths,
  readCheckpoint,
  siblingPaths,
} from "../src/model_dir/mod.ts";
import { resolveConfig } from "../mod.ts";

const root = new URL("..", import.meta.url).pathname;

/** A short run: 8 units, 1,000 + 50 series, 4 epochs of 20 batches (a few seconds in all). */
const TINY = { units: 8, trainSize: 1000, validationSize: 50, epochs: 4 };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `scripts/train.ts`; when `interrupt` is given, sends its signal as soon as stdout shows
 * its line.
 */
async function train(args: string[], interrupt?: { after: string; signal: Deno.Signal }): Promise<Run> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}scripts/train.ts`, ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let stdout = "";
  let sent = false;
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    stdout += chunk;
    if (interrupt && !sent && stdout.includes(interrupt.after)) {
      child.kill(interrupt.signal);
      sent = true;
    }
  }
  const { code } = await child.status;
  if (interrupt) assert(sent, `never saw "${interrupt.after}" in:\n${stdout}`);
  return { code, stdout, stderr: await stderr };
}

async function tinyConfigFile(dir: string): Promise<string> {
  const path = `${dir}/tiny.json`;
  await Deno.writeTextFile(path, JSON.stringify(TINY));
  return path;
}

/** A JSON file's value with every `seconds` field removed: the only bytes a resumed run may change. */
async function withoutSeconds(path: string): Promise<string> {
  return JSON.stringify(JSON.parse(await Deno.readTextFile(path), (k, v) => (k === "seconds" ? undefined : v)));
}

async function assertSameModel(a: string, b: string): Promise<void> {
  for (const f of [MODEL_FILES.onnx, MODEL_FILES.tfjsWeights, MODEL_FILES.tfjsModel]) {
    assertEquals(await Deno.readFile(`${b}/${f}`), await Deno.readFile(`${a}/${f}`), `${f} differs`);
  }
  for (const f of [MODEL_FILES.history, MODEL_FILES.metrics]) {
    assertEquals(await withoutSeconds(`${b}/${f}`), await withoutSeconds(`${a}/${f}`), `${f} differs`);
  }
}

Deno.test("deno task train: SIGKILL after epoch 2, then --resume, gives model.onnx, weights and history byte-identical to an uninterrupted run", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "lstm-sum-resume-" });
  const config = await tinyConfigFile(tmp);
  const whole = await train(["--config", config, "--out", `${tmp}/whole`, "--quiet"]);
  assertEquals(whole.code, 0, whole.stderr);

  const out = `${tmp}/killed`;
  const killed = await train(["--config", config, "--out", out], { after: "epoch 2/4", signal: "SIGKILL" });
  assertEquals(killed.code, 137, "SIGKILL");
  const state = await readCheckpoint(out);
  if (!state) throw new Error("no checkpoint after the kill");
  assert(state.epoch >= 2 && state.epoch < TINY.epochs, `checkpoint after epoch ${state.epoch}`);
  assertEquals(
    (await Array.fromAsync(Deno.readDir(tmp))).some((e) => e.name === "killed"),
    false,
    "no partial directory",
  );

  // --resume alone takes the checkpoint's config
  const resumed = await train(["--resume", "--out", out]);
  assertEquals(resumed.code, 0, resumed.stderr);
  assertStringIncludes(resumed.stdout, `(resuming after epoch ${state.epoch}, batch 0)`);
  assertMatch(resumed.stdout, new RegExp(`^epoch ${state.epoch + 1}/4 `, "m"));
  assertEquals(resumed.stdout.includes("epoch 1/4"), false, "epochs before the checkpoint do not run again");
  await assertSameModel(`${tmp}/whole`, out);
  assertEquals(await readCheckpoint(out), undefined, "the checkpoint is removed when the run completes");
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("deno task train: SIGINT saves a mid-epoch checkpoint and exits 130 with one line saying how to resume; resuming gives the same bytes", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "lstm-sum-sigint-" });
  const config = await tinyConfigFile(tmp);
  const whole = await train(["--config", config, "--out", `${tmp}/whole`, "--quiet"]);
  assertEquals(whole.code, 0, whole.stderr);

  const out = `${tmp}/stopped`;
  const stopped = await train(["--config", config, "--out", out], { after: "epoch 1/4", signal: "SIGINT" });
  assertEquals(stopped.code, 130, stopped.stderr);
  const lines = stopped.stderr.trimEnd().split("\n");
  assertEquals(lines.length, 1, stopped.stderr);
  assertMatch(
    lines[0],
    new RegExp(
      `^interrupted after \\d+ batches of epoch \\d: checkpoint in ${
        checkpointPath(out)
      }; go on with: deno task train --resume --out ${out}$`,
    ),
  );
  const state = await readCheckpoint(out);
  if (!state) throw new Error("no checkpoint after SIGINT");
  // the same command again, with --resume: the flags agree with the checkpoint
  const resumed = await train(["--config", config, "--out", out, "--resume"]);
  assertEquals(resumed.code, 0, resumed.stderr);
  assertStringIncludes(resumed.stdout, `(resuming after epoch ${state.epoch}, batch ${state.batch})`);
  await assertSameModel(`${tmp}/whole`, out);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("deno task train checks --out before training: /, a file, a foreign folder, a model of another config (exit 2, one line)", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "lstm-sum-out-" });
  const config = await tinyConfigFile(tmp);
  await Deno.writeTextFile(`${tmp}/file`, "x");
  const cases: [string, string][] = [
    ["/", "error: /: is the root directory"],
    [`${tmp}/file`, `error: ${tmp}/file: is a file, not a directory`],
    [tmp, `error: ${tmp}: holds entries that are not a model directory's (file, tiny.json)`],
  ];
  for (const [out, message] of cases) {
    const run = await train(["--config", config, "--out", out]);
    assertEquals([run.code, run.stderr.trimEnd()], [2, run.stderr.trimEnd().split("\n")[0]], out);
    assertStringIncludes(run.stderr, message);
    assertEquals(run.stdout.includes("epoch 1/"), false, `${out}: no training before the check`);
  }
  const model = `${tmp}/m`;
  const first = await train(["--config", config, "--out", model, "--quiet", "--epochs", "1"]);
  assertEquals(first.code, 0, first.stderr);
  const other = await train(["--config", config, "--out", model, "--quiet"]);
  assertEquals(other.code, 2);
  assertStringIncludes(
    other.stderr,
    "holds a model of another config (epochs 1 there, 4 here; averageFrom 1 there, 3 here); pass --force to replace it",
  );
  const before = await Deno.readFile(modelPaths(model).metrics);
  assertEquals(await Deno.readFile(modelPaths(model).metrics), before, "the refused run changed nothing");
  const noCheckpoint = await train(["--out", model, "--resume"]);
  assertEquals(noCheckpoint.code, 2);
  assertStringIncludes(noCheckpoint.stderr, `${checkpointPath(model)}: does not exist`);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("deno task train removes a dead run's staging copy, replaces a model of another config with --force, and refuses to drop a checkpoint silently", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "lstm-sum-force-" });
  const config = await tinyConfigFile(tmp);
  const out = `${tmp}/m`;
  const dead = 2 ** 22 + 4242; // above Linux's pid_max default, so never running
  const stale = siblingPaths(out, dead).staging;
  await Deno.mkdir(`${stale}/tfjs`, { recursive: true });
  await Deno.writeTextFile(`${stale}/model.onnx`, "half-written");
  const one = await train(["--config", config, "--out", out, "--epochs", "1"]);
  assertEquals(one.code, 0, one.stderr);
  assertStringIncludes(one.stdout, `removed ${stale}, left by a run that died`);
  assertEquals((await Array.fromAsync(Deno.readDir(tmp))).map((e) => e.name).sort(), ["m", "tiny.json"]);
  // a checkpoint left by an interrupted run of the same directory
  const config1 = resolveConfig({ ...TINY, epochs: 1 });
  const empty = { epochs: [], batches: { loss: [], accuracy: [] } };
  await Deno.writeFile(
    checkpointPath(out),
    encodeCheckpoint({
      config: config1,
      epoch: 0,
      batch: 0,
      history: empty,
      seconds: 0,
      epochSeconds: 0,
      iterations: 0,
      tensors: [],
    }),
  );
  const refused = await train(["--config", config, "--out", out, "--epochs", "1"]);
  assertEquals(refused.code, 2);
  assertStringIncludes(refused.stderr, "pass --resume to go on, or --force to start over");
  const forced = await train(["--config", config, "--out", out, "--force", "--quiet"]);
  assertEquals(forced.code, 0, forced.stderr);
  assertEquals(JSON.parse(await Deno.readTextFile(modelPaths(out).metrics)).config.epochs, TINY.epochs);
  assertEquals((await Array.fromAsync(Deno.readDir(tmp))).map((e) => e.name).sort(), ["m", "tiny.json"]);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("deno task train --scaling one-hot (e): trains, writes a model whose model.onnx takes raw digits, and deno task verify passes it", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "lstm-sum-onehot-" });
  try {
    const config = await tinyConfigFile(tmp);
    const out = `${tmp}/model`;
    const run = await train(["--config", config, "--out", out, "--scaling", "one-hot", "--epochs", "2", "--quiet"]);
    assertEquals(run.code, 0, run.stderr);
    const metrics = JSON.parse(await Deno.readTextFile(`${out}/${MODEL_FILES.metrics}`));
    assertEquals(metrics.config.inputScaling, "one-hot");
    assertEquals(metrics.parameters, 4 * (8 * (10 + 8) + 8) + 8 + 1);
    assert(metrics.onnx.decisionsAgree && metrics.onnx.maxAbsDiff <= 1e-5, JSON.stringify(metrics.onnx));
    const verify = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${root}scripts/verify.ts`, "--model", out],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(verify.code, 0, new TextDecoder().decode(verify.stderr));
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
