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
    ];
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
