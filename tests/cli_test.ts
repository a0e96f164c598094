import { assert, assertEquals, assertFalse, assertMatch, assertStringIncludes } from "@std/assert";
import { resolveConfig } from "../src/core/spec.ts";

const root = new URL("..", import.meta.url).pathname;
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  bytes: Uint8Array;
}

async function spawn(args: string[], stdin?: string): Promise<Run> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    env: { NO_COLOR: "1" },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await child.output();
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr), bytes: out.stdout };
}

/** Runs a script with every permission (what the tests of behaviour need). */
function run(script: string, ...args: string[]): Promise<Run> {
  return spawn(["run", "-A", `${root}scripts/${script}`, ...args]);
}

const TASKS: Record<string, string | { command: string; description?: string }> = JSON.parse(
  Deno.readTextFileSync(`${root}deno.json`),
).tasks;

/** The `deno run` arguments of a task as deno.json writes them: its permissions, its script. */
function taskArgs(name: string): string[] {
  const task = TASKS[name];
  const words = (typeof task === "string" ? task : task.command).split(/\s+/);
  assertEquals(words.slice(0, 2), ["deno", "run"], `task ${name} is not one deno run`);
  return words.slice(1);
}

/** Runs a task with exactly its deno.json permissions (no `deno task` wrapper in between). */
function task(name: string, args: string[] = [], stdin?: string): Promise<Run> {
  return spawn([...taskArgs(name), ...args], stdin);
}

/** The lines a failed run wrote to stderr. */
const errorLines = (r: Run) => r.stderr.trimEnd().split("\n");

/** Runs the runCli() fixture: its body fails as `--throw KIND` says. */
function fixture(...args: string[]): Promise<Run> {
  return spawn(["run", "-A", `${root}tests/_cli_fixture.ts`, ...args]);
}

const DIGITS = "4,7,1,9,0,3,8,2,5,6,1,1,9,0,4,4,2,7,3,8,6,5,0,9,1,2,3,7,8,6";
const HEADER = [...Array.from({ length: 30 }, (_, i) => `x${i + 1}`), "label"].join(",");
const RUN_TASKS = Object.keys(TASKS).filter((name) => {
  const t = TASKS[name];
  return (typeof t === "string" ? t : t.command).startsWith("deno run ");
});

Deno.test("runCli() maps a UsageError to one line on stderr and exit code 2", async () => {
  const r = await fixture("--throw", "usage");
  assertEquals(r.code, 2);
  assertEquals(errorLines(r), ['error: Bad word "x"']);
  const flag = await fixture("--thro", "usage");
  assertEquals(flag.code, 2);
  assertEquals(errorLines(flag), ["error: Unknown flag --thro; accepted: --throw, --help"]);
  const extra = await fixture("a", "b", "c");
  assertEquals(extra.code, 2);
  assertEquals(errorLines(extra), ['error: Unexpected argument "c": fixture takes at most 2 WORD']);
});

Deno.test("runCli() treats a RangeError or TypeError from code as a bug: stack trace and exit code 1", async () => {
  for (const [kind, message] of [["range", "RangeError: Offset 7"], ["type", "TypeError: Cannot read properties"]]) {
    const r = await fixture("--throw", kind);
    assertEquals(r.code, 1, `${kind}: ${r.stderr}`);
    assertStringIncludes(r.stderr, message);
    assertMatch(r.stderr, /\n\s+at .*_cli_fixture\.ts:\d+/, `${kind}: no stack trace`);
  }
});

Deno.test("runCli() maps bad input converted by asUsageError() to one line and exit code 2", async () => {
  const r = await fixture("--throw", "input");
  assertEquals(r.code, 2);
  assertEquals(errorLines(r), ['error: Config field "epochs" must be a positive integer, got 0']);
});

Deno.test("runCli() maps an I/O failure, direct or as the cause, and a declared failure to one line and exit code 1", async () => {
  const missing = await fixture("--throw", "missing-file");
  assertEquals(missing.code, 1);
  assertEquals(errorLines(missing), [
    "error: No such file or directory (os error 2): readfile '/nonexistent-dir/metrics.json'",
  ]);
  const wrapped = await fixture("--throw", "wrapped-io");
  assertEquals(wrapped.code, 1);
  assertEquals(errorLines(wrapped), [
    "error: Cannot read /nonexistent-dir/model.onnx: No such file or directory (os error 2): readfile '/nonexistent-dir/model.onnx'",
  ]);
  const expected = await fixture("--throw", "expected");
  assertEquals(expected.code, 1);
  assertEquals(errorLines(expected), ["error: The model directory is incomplete"]);
});

Deno.test("runCli() prints the help for --help and -h to stdout, exit code 0, without running the body", async () => {
  for (const flag of ["--help", "-h"]) {
    const r = await fixture("--throw", "usage", flag);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stderr, "");
    assert(r.stdout.startsWith("Fails on purpose, one way per --throw value.\n"), r.stdout);
    assertStringIncludes(r.stdout, "Usage: deno task fixture [flags] [WORD]");
    assertFalse(/^ran/m.test(r.stdout), r.stdout);
  }
  // after --, -h is an argument
  const after = await fixture("--", "-h");
  assertEquals([after.code, after.stdout], [0, "ran -h\n"]);
});

Deno.test("every task prints --help from the table that parses: each accepted flag, exit code 0", async () => {
  assert(RUN_TASKS.length >= 10, `tasks: ${RUN_TASKS}`);
  for (const name of RUN_TASKS) {
    // the parser lists the flags it accepts when it meets an unknown one
    const bad = await task(name, ["--no-such-flag"]);
    assertEquals(bad.code, 2, `${name}: ${bad.stderr}`);
    const accepted = errorLines(bad)[0].match(/accepted: (.*)$/)?.[1].split(", ") ?? [];
    assert(accepted.includes("--help"), `${name}: ${bad.stderr}`);
    const help = await task(name, ["--help"]);
    assertEquals(help.code, 0, `${name}: ${help.stderr}`);
    assertEquals(help.stderr, "", name);
    assertStringIncludes(help.stdout, `Usage: deno task ${name}`);
    for (const flag of accepted) assertMatch(help.stdout, new RegExp(`^  (-h, )?${flag}\\b`, "m"), `${name} ${flag}`);
  }
});

Deno.test("deno.json gives every task a description, and least-privilege permissions to every deno run", () => {
  for (const [name, t] of Object.entries(TASKS)) {
    assert(typeof t === "object" && (t.description ?? "").length > 10, `task ${name} has no description`);
  }
  for (const name of RUN_TASKS) {
    const flags = taskArgs(name).filter((w) => w.startsWith("-"));
    for (const f of flags) assert(f !== "-A" && f !== "--allow-all", `task ${name} runs with ${f}`);
  }
  const perms = (name: string) => taskArgs(name).filter((w) => w.startsWith("--allow")).sort();
  assertEquals(perms("data"), []);
  assertEquals(perms("predict"), ["--allow-read=models,node_modules"]);
  assertEquals(perms("verify"), ["--allow-read=models,node_modules"]);
  assertEquals(perms("serve"), ["--allow-net=127.0.0.1", "--allow-read=models,src,node_modules"]);
  assertEquals(perms("train"), ["--allow-read", "--allow-write=models"]);
});

Deno.test("deno task predict and data run with their deno.json permissions", async () => {
  const one = await task("predict", [DIGITS]);
  assertEquals(one.code, 0, one.stderr);
  assertMatch(one.stdout, /^\d\.\d{6} [01]\n$/);
  const data = await task("data", ["--split", "validation"]);
  assertEquals(data.code, 0, data.stderr);
  const csv = data.stdout.split("\n").slice(0, 4).join("\n") + "\n";
  const piped = await task("predict", ["--file", "-"], csv);
  assertEquals(piped.code, 0, piped.stderr);
  assertMatch(piped.stdout.trimEnd().split("\n").pop()!, /^accuracy \d+\.\d\d % \(\d\/3\)$/);
  // a file outside the allowed paths is refused in one line (a terminal would prompt instead)
  const outside = await task("predict", ["--file", "/etc/hostname"]);
  assertEquals(outside.code, 1);
  assertEquals(errorLines(outside).length, 1, outside.stderr);
  assertStringIncludes(outside.stderr, 'error: Requires read access to "/etc/hostname"');
});

Deno.test("deno task predict rejects a header-only CSV in one line, exit code 2, before running the model", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/empty.csv`, `${HEADER}\n`);
  const r = await run("predict.ts", "--file", `${dir}/empty.csv`);
  assertEquals(r.code, 2);
  assertEquals(errorLines(r), [`error: ${dir}/empty.csv holds a header but no series`]);
  assertFalse(r.stdout.includes("Aborted"), r.stdout);
  const stdin = await task("predict", ["--file", "-"], `${HEADER}\n`);
  assertEquals([stdin.code, errorLines(stdin)], [2, ["error: standard input holds a header but no series"]]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("deno task predict names a bad series in one line with exit code 2", async () => {
  const r = await task("predict", ["1,2,3"]);
  assertEquals(r.code, 2);
  assertEquals(errorLines(r).length, 1, r.stderr);
  assertMatch(r.stderr, /^error: argument.*30/);
  const both = await task("predict", [DIGITS, "--file", "x.csv"]);
  assertEquals([both.code, errorLines(both)], [2, ["error: Give either 30 comma-separated digits or --file FILE.csv"]]);
});

Deno.test("deno task predict --model on a missing directory fails in one line with exit code 1", async () => {
  const r = await task("predict", ["--model", "models/no-such-model", DIGITS]);
  assertEquals(r.code, 1);
  assertEquals(errorLines(r).length, 1, r.stderr);
  assertMatch(r.stderr, /^error: .*models\/no-such-model.*No such file or directory/);
});

Deno.test({
  name: "deno task data and predict writing to a full disk (/dev/full) fail in one line with exit code 1",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    for (const name of ["data", "predict"]) {
      const args = [...taskArgs(name), ...(name === "predict" ? [DIGITS] : [])];
      const out = await new Deno.Command("sh", {
        args: ["-c", `exec "$0" "$@" > /dev/full`, Deno.execPath(), ...args],
        cwd: root,
        env: { NO_COLOR: "1" },
        stderr: "piped",
      }).output();
      assertEquals(out.code, 1, name);
      assertEquals(decode(out.stderr), "error: No space left on device (os error 28)\n", name);
    }
  },
});

Deno.test("deno task train rejects an unknown flag and a bad value with exit code 2", async () => {
  const a = await run("train.ts", "--epohcs", "1");
  assertEquals(a.code, 2);
  assertStringIncludes(a.stderr, "Unknown flag --epohcs");
  const b = await run("train.ts", "--epochs", "-1");
  assertEquals(b.code, 2);
  assertStringIncludes(b.stderr, 'Flag --epochs must be an integer in [1, 100000], got "-1"');
});

Deno.test("deno task data prints byte-identical CSV for the same seed, header x1..x30,label", async () => {
  const a = await run("data.ts", "--seed", "7", "--split", "validation");
  const b = await run("data.ts", "--seed", "7", "--split", "validation");
  assertEquals(a.code, 0);
  assertEquals(a.bytes, b.bytes);
  const lines = a.stdout.trimEnd().split("\n");
  assertEquals(lines[0], [...Array.from({ length: 30 }, (_, i) => `x${i + 1}`), "label"].join(","));
  assertEquals(lines.length, 2001);
  const other = await run("data.ts", "--seed", "8", "--split", "validation");
  assert(other.stdout !== a.stdout);
  const json = JSON.parse((await run("data.ts", "--seed", "7", "--split", "validation", "--format", "json")).stdout);
  assertEquals([json.x.length, json.x[0].length, json.y.length], [2000, 30, 2000]);
  assertEquals(json.x[0].join(","), lines[1].split(",").slice(0, 30).join(","));
});

Deno.test("deno task train --epochs 1 writes metrics.json, history.json, tfjs/ and model.onnx; verify passes", async () => {
  // run with the tasks' own permissions, into models/tmp-* (git-ignored), where train may write
  const out = `models/tmp-cli-test-${crypto.randomUUID().slice(0, 8)}`;
  const dir = `${root}${out}`;
  const t = await task("train", ["--epochs", "1", "--out", out, "--quiet"]);
  assertEquals(t.code, 0, t.stderr);
  assert(t.stdout.trimEnd().split("\n").pop()!.startsWith("final: train accuracy"));
  const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  assertEquals(files, ["history.json", "metrics.json", "model.onnx", "tfjs"]);
  assertEquals([...Deno.readDirSync(`${dir}/tfjs`)].map((e) => e.name).sort(), ["model.json", "weights.bin"]);
  const metrics = JSON.parse(Deno.readTextFileSync(`${dir}/metrics.json`));
  for (const key of ["config", "data", "train", "validation", "onnx", "boundary"]) assert(key in metrics, key);
  assert(metrics.onnx.decisionsAgree, "ONNX and tfjs decisions differ");
  assert(metrics.boundary.agreement.decisionsAgree, "ONNX and tfjs decisions differ on the boundary set");
  assertEquals(metrics.boundary.seed, metrics.config.dataSeed);
  const v = await task("verify", ["--model", out]);
  assertEquals(v.code, 0, v.stdout + v.stderr);
  assertStringIncludes(v.stdout, "PASS");
  assertStringIncludes(v.stdout, "the recorded boundary figures");
  // a tampered record fails verification
  metrics.validation.accuracy = 0.5;
  Deno.writeTextFileSync(`${dir}/metrics.json`, JSON.stringify(metrics));
  const bad = await task("verify", ["--model", out]);
  assertEquals(bad.code, 1);
  assertStringIncludes(bad.stdout, "FAIL");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("deno.json is publishable: name, version, exports, and deno publish --dry-run passes offline", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  assertMatch(config.name, /^@[a-z0-9-]+\/[a-z0-9-]+$/);
  assertMatch(config.version, /^\d+\.\d+\.\d+$/);
  assertEquals(Object.keys(config.exports).sort(), [".", "./onnx", "./train"]);
  const r = await spawn(["publish", "--dry-run", "--allow-dirty"]);
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stderr + r.stdout, "Success Dry run complete");
});

Deno.test("deno doc --lint finds every export of mod.ts and ./onnx documented", async () => {
  const r = await spawn(["doc", "--lint", "mod.ts", "src/onnx/mod.ts"]);
  assertEquals(r.code, 0, r.stderr);
});

Deno.test("deno task train --arch linear --epochs 2 writes a model directory that verify passes, and names a bad --arch", async () => {
  const out = `models/tmp-cli-linear-${crypto.randomUUID().slice(0, 8)}`;
  const t = await task("train", ["--arch", "linear", "--epochs", "2", "--out", out, "--quiet"]);
  assertEquals(t.code, 0, t.stderr);
  const metrics = JSON.parse(Deno.readTextFileSync(`${root}${out}/metrics.json`));
  assertEquals([metrics.config.arch, metrics.parameters], ["linear", 31]);
  assert(metrics.onnx.decisionsAgree, "ONNX and tfjs decisions differ");
  const v = await task("verify", ["--model", out]);
  assertEquals(v.code, 0, v.stdout + v.stderr);
  assertStringIncludes(v.stdout, "PASS");
  await Deno.remove(`${root}${out}`, { recursive: true });
  const bad = await task("train", ["--arch", "conv2d", "--epochs", "1", "--out", out]);
  assertEquals(bad.code, 2);
  assertMatch(bad.stderr.trim(), /^error: .*--arch.*conv2d/);
});

Deno.test("deno task train --threads 2 (the default here) writes the bytes of --threads 1; a bad --threads exits 2 naming it", async () => {
  const files = async (threads: string) => {
    const out = `models/tmp-cli-threads-${crypto.randomUUID().slice(0, 8)}`;
    const t = await task("train", ["--epochs", "1", "--threads", threads, "--out", out, "--quiet"]);
    assertEquals(t.code, 0, t.stderr);
    const bytes = ["model.onnx", "tfjs/weights.bin", "tfjs/model.json"].map((f) =>
      Deno.readFileSync(`${root}${out}/${f}`)
    );
    await Deno.remove(`${root}${out}`, { recursive: true });
    return bytes;
  };
  assertEquals(await files("2"), await files("1"));
  const bad = await task("train", ["--threads", "3", "--epochs", "1", "--out", "models/tmp-cli-threads-bad"]);
  assertEquals(bad.code, 2);
  assertMatch(bad.stderr.trim(), /^error: .*--threads.*3/);
});

Deno.test("deno task train --matmul: given, it overrides a complete --config file that lacks the field (xnnpack); absent, the file's arithmetic stays; a bad value exits 2 naming it", async () => {
  const { matmul: _, ...older } = resolveConfig({ units: 4, trainSize: 150, validationSize: 50, epochs: 1 });
  const file = `${root}models/tmp-cli-matmul-${crypto.randomUUID().slice(0, 8)}.json`;
  Deno.writeTextFileSync(file, JSON.stringify(older));
  const matmulOf = async (flags: string[]) => {
    const out = `models/tmp-cli-matmul-${crypto.randomUUID().slice(0, 8)}`;
    const t = await task("train", ["--config", file, ...flags, "--out", out, "--quiet"]);
    assertEquals(t.code, 0, t.stderr);
    const metrics = JSON.parse(Deno.readTextFileSync(`${root}${out}/metrics.json`));
    await Deno.remove(`${root}${out}`, { recursive: true });
    return metrics.config.matmul;
  };
  assertEquals(await matmulOf(["--matmul", "fma"]), "fma");
  assertEquals(await matmulOf([]), undefined, "absent: xnnpack, as the file was trained");
  Deno.removeSync(file);
  const bad = await task("train", ["--matmul", "blas", "--epochs", "1", "--out", "models/tmp-cli-matmul-bad"]);
  assertEquals(bad.code, 2);
  assertMatch(bad.stderr.trim(), /^error: .*--matmul.*blas/);
});

for (const [arch, parameters] of [["rnn", 40_601], ["gru", 121_401], ["conv1d", 81]] as const) {
  Deno.test(`deno task train --arch ${arch} --epochs 1 writes a model directory whose ONNX graph matches tfjs, and verify passes`, async () => {
    const out = `models/tmp-cli-${arch}-${crypto.randomUUID().slice(0, 8)}`;
    const t = await task("train", ["--arch", arch, "--epochs", "1", "--out", out, "--quiet"]);
    assertEquals(t.code, 0, t.stderr);
    const metrics = JSON.parse(Deno.readTextFileSync(`${root}${out}/metrics.json`));
    assertEquals([metrics.config.arch, metrics.parameters], [arch, parameters]);
    assert(metrics.onnx.decisionsAgree, "ONNX and tfjs decisions differ");
    assert(metrics.onnx.maxAbsDiff <= 1e-5, `max |p_onnx − p_tfjs| ${metrics.onnx.maxAbsDiff}`);
    const v = await task("verify", ["--model", out]);
    assertEquals(v.code, 0, v.stdout + v.stderr);
    assertStringIncludes(v.stdout, "PASS");
    await Deno.remove(`${root}${out}`, { recursive: true });
  });
}
