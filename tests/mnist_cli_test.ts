/**
 * scripts/mnist.ts, run as a process with the permissions it is meant to run with
 * (`--allow-read --allow-write=models`), in a temporary working directory so that its models/ is
 * a scratch folder, never the repository's.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { loadMnist } from "../src/mnist/data.ts";
import { mnistRunPaths, readMnistHistory, readMnistMetrics, writeMnistCheckpoint } from "../src/mnist/run_dir.ts";
import type { MnistTrainingState } from "../src/mnist/checkpoint.ts";
import { MnistTrainingInterrupted, trainMnist } from "../src/mnist/train.ts";

const root = new URL("..", import.meta.url).pathname;
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function mnist(cwd: string, ...args: string[]): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      `${root}deno.json`,
      "--allow-read",
      "--allow-write=models",
      `${root}scripts/mnist.ts`,
      ...args,
    ],
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** A scratch working directory, removed afterwards. */
async function inScratch(fn: (cwd: string) => Promise<void>): Promise<void> {
  const cwd = await Deno.makeTempDir({ prefix: "mnist-cli-" });
  try {
    await fn(cwd);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
}

Deno.test("mnist --help lists every flag with its help and exits 0", async () => {
  await inScratch(async (cwd) => {
    const r = await mnist(cwd, "--help");
    assertEquals(r.code, 0, r.stderr);
    for (
      const flag of [
        "--model linear|mlp|mlp-dropout|cnn",
        "--iterations N",
        "--seed N",
        "--out DIR",
        "--bias-init X",
        "--resume",
        "--verify DIR",
      ]
    ) {
      assertStringIncludes(r.stdout, flag);
    }
  });
});

Deno.test("mnist usage errors exit 2 with one line naming the value", async () => {
  await inScratch(async (cwd) => {
    const cases: [string[], string][] = [
      [[], "error: Flag --model is required: one of linear, mlp, mlp-dropout, cnn"],
      [["--model", "conv"], 'error: Flag --model must be one of linear, mlp, mlp-dropout, cnn, got "conv"'],
      [
        ["--model", "cnn", "--iterations", "1", "--out", "/tmp/x"],
        'error: Flag --out must be a directory under models/, got "/tmp/x"',
      ],
      [
        ["--model", "cnn", "--iterations", "1", "--out", "models/../x"],
        'error: Flag --out must be a directory under models/, got "models/../x"',
      ],
      [
        ["--model", "cnn", "--iterations", "1", "--out", "runs/x"],
        'error: Flag --out must be a directory under models/, got "runs/x"',
      ],
      [
        ["--model", "cnn", "--iterations", "0"],
        'error: Flag --iterations must be an integer in [1, 10000000], got "0"',
      ],
      [["--model", "mlp", "--bias-init", "abc"], 'error: Flag --bias-init must be a number, got "abc"'],
      [
        ["--model", "mlp", "--resume"],
        "error: Flag --resume needs the checkpoint models/.mnist-mlp.checkpoint, which does not exist",
      ],
      [
        ["--verify", "models/x", "--model", "cnn", "--resume"],
        "error: Flag --verify trains nothing: drop --model, --resume",
      ],
      [
        ["--model", "linear", "--iterations", "1", "--out", "models/notes"],
        "error: models/notes: holds entries that are not a run directory's (readme.txt): choose a new or empty directory",
      ],
    ];
    await Deno.mkdir(`${cwd}/models/notes`, { recursive: true });
    await Deno.writeTextFile(`${cwd}/models/notes/readme.txt`, "not a run");
    // a case that wrongly passed its checks would train: --iterations 1 keeps that short, and the test fails
    const runs = await Promise.all(cases.map(([args]) => mnist(cwd, ...args)));
    runs.forEach((r, i) => {
      assertEquals([r.code, r.stderr.trimEnd().split("\n")], [2, [cases[i][1]]], cases[i][0].join(" "));
    });
  });
});

Deno.test("mnist trains, writes the run directory, and --resume from a checkpoint writes the same weights bytes", async () => {
  await inScratch(async (cwd) => {
    const r = await mnist(cwd, "--model", "linear", "--iterations", "20", "--out", "models/tmp-a");
    assertEquals(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assertStringIncludes(
      lines[0],
      "training linear: 20 iterations of 100, seed 42, 8000/2000 train/test images -> models/tmp-a",
    );
    assert(lines.at(-1)!.startsWith("final: train accuracy "), lines.at(-1));
    const dir = `${cwd}/models/tmp-a`;
    const metrics = await readMnistMetrics(dir);
    assertEquals([metrics.config.model, metrics.config.iterations, metrics.parameters], ["linear", 20, 7_850]);
    assertEquals(
      lines.at(-2),
      `onnx: model.onnx on 2000 test images: accuracy ${(100 * metrics.onnx!.accuracy).toFixed(2)} %, ` +
        `max |p_onnx - p_tfjs| ${metrics.onnx!.maxAbsDiff.toExponential(2)}, decisions agree: true`,
    );
    await Deno.stat(mnistRunPaths(dir).onnx);
    assertEquals((await readMnistHistory(dir)).evaluations.map((e) => e.iteration), [0, 20]);

    // an interrupted run of the same config, checkpointed after 9 updates, resumed by the CLI
    const controller = new AbortController();
    let state: MnistTrainingState | undefined;
    try {
      await trainMnist({
        config: metrics.config,
        images: await loadMnist(),
        signal: controller.signal,
        onProgress: (p) => p.kind === "iteration" && p.iteration === 9 && controller.abort(),
        onCheckpoint: (s) => {
          state = s;
        },
      });
    } catch (error) {
      if (!(error instanceof MnistTrainingInterrupted)) throw error;
    }
    if (!state) throw new Error("the run was not interrupted");
    await writeMnistCheckpoint(`${cwd}/models/tmp-b`, state);
    const refused = await mnist(cwd, "--model", "linear", "--iterations", "20", "--out", "models/tmp-b");
    assertEquals([refused.code, refused.stderr.trim()], [
      2,
      "error: An interrupted run left models/.tmp-b.checkpoint: add --resume to go on from it, or remove it",
    ]);
    const resumed = await mnist(cwd, "--model", "linear", "--iterations", "20", "--out", "models/tmp-b", "--resume");
    assertEquals(resumed.code, 0, resumed.stderr);
    assertStringIncludes(resumed.stdout, "(resuming after iteration 9)");
    assertEquals(
      await Deno.readFile(`${cwd}/models/tmp-b/tfjs/weights.bin`),
      await Deno.readFile(`${dir}/tfjs/weights.bin`),
    );
    await Deno.stat(`${cwd}/models/tmp-b`);
    assert(
      !(await Deno.stat(`${cwd}/${mnistRunPaths("models/tmp-b").checkpoint}`).then(() => true, () => false)),
      "the checkpoint must be gone after the run completes",
    );
  });
});

Deno.test("mnist --verify DIR prints a PASS line per check and exits 0; after metrics.json is tampered with, FAIL lines and exit 1", async () => {
  await inScratch(async (cwd) => {
    const trained = await mnist(cwd, "--model", "linear", "--iterations", "5", "--out", "models/tmp-v", "--quiet");
    assertEquals(trained.code, 0, trained.stderr);
    const ok = await mnist(cwd, "--verify", "models/tmp-v");
    assertEquals([ok.code, ok.stderr], [0, ""]);
    const lines = ok.stdout.trimEnd().split("\n");
    assertEquals(lines.map((l) => l.split(":")[0]), [
      "PASS test split",
      "PASS metadata",
      "PASS accuracy",
      "PASS confusion",
      "PASS onnx record",
      "PASS models/tmp-v",
    ]);
    const path = mnistRunPaths(`${cwd}/models/tmp-v`).metrics;
    const metrics = JSON.parse(await Deno.readTextFile(path));
    metrics.test.accuracy += 0.0005;
    await Deno.writeTextFile(path, JSON.stringify(metrics));
    const bad = await mnist(cwd, "--verify", "models/tmp-v");
    assertEquals(bad.code, 1);
    const out = bad.stdout.trimEnd().split("\n");
    assertEquals(out.filter((l) => l.startsWith("FAIL")).map((l) => l.split(":")[0]), [
      "FAIL accuracy",
      "FAIL models/tmp-v",
    ]);
    assertEquals(out.at(-1), "FAIL models/tmp-v: 1 of 5 checks failed");
    await Deno.remove(mnistRunPaths(`${cwd}/models/tmp-v`).onnx);
    const missing = await mnist(cwd, "--verify", "models/tmp-v");
    // runCli adds the cause's message (Deno's NotFound) to the one line
    assertEquals([missing.code, missing.stdout, missing.stderr.trimEnd().split("\n").length], [1, "", 1]);
    assert(missing.stderr.startsWith("error: models/tmp-v/model.onnx: is missing: "), missing.stderr);
  });
});
