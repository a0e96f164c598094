import { assert, assertEquals } from "@std/assert";

const root = new URL("..", import.meta.url).pathname;

/** Every module in the static import graph of an entry point, by `deno info --json`. */
async function moduleGraph(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", `${root}${entry}`],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  // npm packages the graph imports appear as modules `npm:/name@version` (`npmPackages` lists
  // every package the lock file resolves, imported or not)
  return info.modules.map((m: { specifier: string }) => m.specifier);
}

const tfjs = (specifier: string) => specifier.includes("@tensorflow");

Deno.test("deno info: the tfjs probe finds tfjs in the trainer's graph, so the next test can fail", async () => {
  assert((await moduleGraph("src/train/mod.ts")).some(tfjs));
});

for (const entry of ["mod.ts", "src/onnx/mod.ts", "src/model_dir/mod.ts", "src/serve/model.ts"]) {
  Deno.test(`deno info: importing ./${entry} never loads tfjs`, async () => {
    const graph = await moduleGraph(entry);
    assert(graph.length > 1, "the graph must hold the entry's imports");
    assertEquals(graph.filter(tfjs), [], `${entry} reaches tfjs`);
  });
}
