import { assert, assertEquals } from "@std/assert";
import { planRuns, PLANS, runName } from "../src/core/plan.ts";
import { readRunRecord } from "../src/runner/record.ts";

const RUNS = new URL("../scripts/runs.ts", import.meta.url).pathname;
const args = (out: string) => ["run", "-A", RUNS, "--plan", "smoke", "--seeds", "1-2", "--out", out];
const files = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

/** A run file without its wall-clock seconds, the one field two identical runs may differ in. */
async function withoutTime(path: string): Promise<string> {
  const r = await readRunRecord(path);
  return JSON.stringify({ ...r, seconds: 0, history: r.history.map((e) => ({ ...e, seconds: 0 })) });
}

Deno.test("runs: a plan killed with SIGKILL mid-way and started again ends with every run file once, as an uninterrupted plan", async () => {
  const whole = await Deno.makeTempDir();
  const broken = await Deno.makeTempDir();
  try {
    const expected = planRuns(PLANS.smoke, [1, 2]).map(runName).sort();
    const full = await new Deno.Command(Deno.execPath(), { args: args(whole), stdout: "null", stderr: "null" })
      .output();
    assert(full.success, "the uninterrupted plan must succeed");
    assertEquals(files(whole), expected);

    // start, wait for the first run file, kill the runner without warning
    const child = new Deno.Command(Deno.execPath(), { args: args(broken), stdout: "null", stderr: "null" }).spawn();
    const deadline = Date.now() + 120_000;
    while (files(broken).filter((f) => f.endsWith(".json")).length < 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    await child.status;
    const before = files(broken).filter((f) => f.endsWith(".json"));
    assert(before.length >= 1 && before.length < expected.length, `killed after ${before.length} runs: not mid-plan`);
    // the orphaned run process sees its stdin close and stops without writing: a run takes
    // 2-5 s here, so a file appearing within 6 s would mean it went on
    await new Promise((r) => setTimeout(r, 6000));
    assertEquals(files(broken).filter((f) => f.endsWith(".json")), before, "an orphaned run went on after the kill");
    const kept = await Promise.all(before.map((f) => Deno.readTextFile(`${broken}/${f}`)));
    // a child killed between writing its run file's temp file and renaming it leaves that temp file (seen in CI);
    // the run starts again, so the temp file goes
    const missing = expected.find((f) => !before.includes(f))!;
    await Deno.writeTextFile(`${broken}/${missing}.424242.tmp`, "{");

    const again = await new Deno.Command(Deno.execPath(), { args: args(broken), stdout: "null", stderr: "piped" })
      .output();
    assert(again.success, new TextDecoder().decode(again.stderr));
    const log = new TextDecoder().decode(again.stderr);
    assert(log.includes(`${before.length} done, ${expected.length - before.length} to run`), log);
    assertEquals(files(broken).filter((f) => !f.endsWith(".json")), [], "no temporary file left behind");
    assertEquals(files(broken), expected);
    // nothing ran twice: the files written before the kill are untouched
    assertEquals(await Promise.all(before.map((f) => Deno.readTextFile(`${broken}/${f}`))), kept);
    for (const f of expected) assertEquals(await withoutTime(`${broken}/${f}`), await withoutTime(`${whole}/${f}`), f);
  } finally {
    await Deno.remove(whole, { recursive: true });
    await Deno.remove(broken, { recursive: true });
  }
});

Deno.test("runs: --summary reads a partial plan and names the missing runs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [...args(dir), "--summary"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert(out.success);
    const text = new TextDecoder().decode(out.stdout);
    assert(text.startsWith("0 of 4 runs present; missing: "), text);
    for (const name of planRuns(PLANS.smoke, [1, 2]).map(runName)) assert(text.includes(name), name);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runs: a bad seed list, shard or arm is a usage error: one line naming it, exit 2", async () => {
  const cases: [string, string[], string][] = [
    ["smoke", ["--seeds", "5-1"], 'Seed range must ascend, got "5-1"'],
    ["smoke", ["--shard", "4/4"], 'Shard must be i/n with 0 <= i < n, got "4/4"'],
    ["smoke", ["--arms", "spec"], `Plan "${PLANS.smoke.description}" has no arms to select`],
    [
      "boundary",
      ["--arms", "spec,nope"],
      `Arm must be one of ${PLANS.boundary.arms!.map((a) => a.name).join(", ")}, got "nope"`,
    ],
  ];
  for (const [plan, flags, message] of cases) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", RUNS, "--plan", plan, ...flags, "--summary"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(out.code, 2, flags.join(" "));
    assertEquals(new TextDecoder().decode(out.stderr).trim(), `error: ${message}`);
  }
});
