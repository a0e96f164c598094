/**
 * Imports point one way: importing the core, the ONNX layer or the model directory never loads tfjs,
 * and src/mnist builds on src/core and src/train, never the reverse.
 */
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

/** The local modules of that graph, as paths from the repository root (`src/mnist/onnx.ts`). */
async function localGraph(entry: string): Promise<string[]> {
  return (await moduleGraph(entry)).filter((s) => s.startsWith("file://")).map((s) => s.slice(`file://${root}`.length));
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

Deno.test("deno info: the probe finds src/mnist in the MNIST CLI's graph, and src/core and src/train in it", async () => {
  const graph = await localGraph("scripts/mnist.ts");
  for (const dir of ["src/mnist/", "src/core/", "src/train/"]) assert(graph.some((m) => m.startsWith(dir)), dir);
});

for (const entry of ["mod.ts", "src/train/mod.ts", "src/onnx/mod.ts", "src/model_dir/mod.ts"]) {
  Deno.test(`deno info: ./${entry} never imports src/mnist`, async () => {
    const graph = await localGraph(entry);
    assert(graph.length > 1, "the graph must hold the entry's imports");
    assertEquals(graph.filter((m) => m.startsWith("src/mnist/")), [], `${entry} reaches src/mnist`);
  });
}
