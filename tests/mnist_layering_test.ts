/** Imports point one way: src/mnist builds on src/core and src/train, never the reverse. */
import { assert, assertEquals } from "@std/assert";

const root = new URL("..", import.meta.url).pathname;

/** Every local module in the static import graph of an entry point, by `deno info --json`. */
async function localGraph(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", `${root}${entry}`],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  return info.modules.map((m: { specifier: string }) => m.specifier).filter((s: string) => s.startsWith("file://"))
    .map((s: string) => s.slice(`file://${root}`.length));
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
