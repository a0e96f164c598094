import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { parseFlags, UsageError } from "../scripts/args.ts";

const root = new URL("..", import.meta.url).pathname;

async function run(script: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}scripts/${script}`, ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr), bytes: out.stdout };
}

Deno.test("parseFlags() reads --name value, --name=value and boolean flags", () => {
  const specs = { epochs: { type: "int", min: 1 }, out: { type: "string" }, quiet: { type: "bool" } } as const;
  assertEquals(parseFlags(["--epochs", "3", "--out=x", "--quiet", "pos"], specs), {
    flags: { epochs: 3, out: "x", quiet: true },
    positionals: ["pos"],
  });
});

Deno.test("parseFlags() rejects unknown flags, missing values and bad values, naming them", () => {
  const specs = { epochs: { type: "int", min: 1, max: 9 }, split: { type: "enum", values: ["a", "b"] } } as const;
  assertThrows(
    () => parseFlags(["--epoch", "3"], specs),
    UsageError,
    "Unknown flag --epoch; accepted: --epochs, --split",
  );
  assertThrows(() => parseFlags(["--epochs"], specs), UsageError, "Flag --epochs needs a value");
  assertThrows(
    () => parseFlags(["--epochs", "0"], specs),
    UsageError,
    'Flag --epochs must be an integer in [1, 9], got "0"',
  );
  assertThrows(() => parseFlags(["--epochs", "2x"], specs), UsageError, 'got "2x"');
  assertThrows(() => parseFlags(["--split", "c"], specs), UsageError, 'Flag --split must be one of a, b, got "c"');
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
  const dir = await Deno.makeTempDir();
  const t = await run("train.ts", "--epochs", "1", "--out", dir, "--quiet");
  assertEquals(t.code, 0, t.stderr);
  assert(t.stdout.trimEnd().split("\n").pop()!.startsWith("final: train accuracy"));
  const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  assertEquals(files, ["history.json", "metrics.json", "model.onnx", "tfjs"]);
  assertEquals([...Deno.readDirSync(`${dir}/tfjs`)].map((e) => e.name).sort(), ["model.json", "weights.bin"]);
  const metrics = JSON.parse(Deno.readTextFileSync(`${dir}/metrics.json`));
  for (const key of ["config", "data", "train", "validation", "onnx"]) assert(key in metrics, key);
  assertEquals(metrics.onnx.decisionsAgree, true);
  const v = await run("verify.ts", "--model", dir);
  assertEquals(v.code, 0, v.stdout + v.stderr);
  assertStringIncludes(v.stdout, "PASS");
  // a tampered record fails verification
  metrics.validation.accuracy = 0.5;
  Deno.writeTextFileSync(`${dir}/metrics.json`, JSON.stringify(metrics));
  const bad = await run("verify.ts", "--model", dir);
  assertEquals(bad.code, 1);
  assertStringIncludes(bad.stdout, "FAIL");
  await Deno.remove(dir, { recursive: true });
});
