/**
 * Imports point one way: importing the core, the ONNX layer or the model directory never loads tfjs,
 * nor does the serve CLI (an MNIST run included), and src/mnist builds on src/core and src/train,
 * never the reverse.
 */
import { assert, assertEquals } from "@std/assert";

const root = new URL("..", import.meta.url).pathname;

type Dep = { specifier: string; isDynamic?: boolean; code?: { specifier: string } };
type Info = {
  roots: string[];
  modules: { specifier: string; dependencies?: Dep[] }[];
  redirects: Record<string, string>;
};

/** `deno info --json` of an entry point. */
async function denoInfo(entry: string): Promise<Info> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", `${root}${entry}`],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** Every module in the import graph of an entry point, `import()` included, by `deno info --json`. */
async function moduleGraph(entry: string): Promise<string[]> {
  // npm packages the graph imports appear as modules `npm:/name@version` (`npmPackages` lists
  // every package the lock file resolves, imported or not)
  return (await denoInfo(entry)).modules.map((m) => m.specifier);
}

/** The local modules of that graph, as paths from the repository root (`src/mnist/onnx.ts`). */
async function localGraph(entry: string): Promise<string[]> {
  return (await moduleGraph(entry)).filter((s) => s.startsWith("file://")).map((s) => s.slice(`file://${root}`.length));
}

const tfjs = (specifier: string) => specifier.includes("@tensorflow");

/** The specifiers reachable from an entry point through static imports only (`import()` edges skipped). */
async function staticGraph(entry: string): Promise<string[]> {
  const info = await denoInfo(entry);
  const edges = new Map(info.modules.map((m) => [m.specifier, m.dependencies ?? []]));
  const seen = new Set<string>();
  const todo = [...info.roots];
  while (todo.length > 0) {
    const s = todo.pop()!;
    const resolved = info.redirects[s] ?? s;
    if (seen.has(resolved)) continue;
    seen.add(resolved);
    for (const d of edges.get(resolved) ?? []) if (!d.isDynamic && d.code) todo.push(d.code.specifier);
  }
  return [...seen];
}

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

Deno.test("deno info: the serve CLI never loads tfjs, the MNIST run directory's reader included; writing a run loads it through import()", async () => {
  assert((await moduleGraph("src/mnist/run_dir.ts")).some(tfjs), "the probe must see the writer's import()");
  const graph = await staticGraph("scripts/serve.ts");
  for (const m of ["src/serve/mnist.ts", "src/mnist/run_dir.ts", "src/mnist/onnx.ts"]) {
    assert(graph.some((s) => s.endsWith(m)), `the graph must hold ${m}`);
  }
  assertEquals(graph.filter(tfjs), [], "scripts/serve.ts reaches tfjs through a static import");
});

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
