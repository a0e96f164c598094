/** The file helpers of src/io/atomic.ts: atomic writes, and whether a path exists. */
import { assertEquals, assertRejects } from "@std/assert";
import { atomicTempPath, pathExists, removeStaleTemps, writeFileAtomic } from "../src/io/atomic.ts";

Deno.test("pathExists: true for a file and a directory, false for a missing path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeFileAtomic(`${dir}/a/b.txt`, "x");
    assertEquals(await pathExists(`${dir}/a/b.txt`), true);
    assertEquals(await pathExists(`${dir}/a`), true);
    assertEquals(await pathExists(`${dir}/missing`), false);
    assertEquals(await pathExists(`${dir}/a/b.txt/below-a-file`), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pathExists: any failure but not-found is thrown, not read as missing", async () => {
  // an interior NUL byte is an invalid path: stat fails with something other than NotFound
  await assertRejects(() => pathExists("bad\0path"));
});

Deno.test("writeFileAtomic: the target holds the whole text, and no temp file is left beside it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeFileAtomic(`${dir}/f.txt`, "first");
    await writeFileAtomic(`${dir}/f.txt`, "second");
    assertEquals(await Deno.readTextFile(`${dir}/f.txt`), "second");
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["f.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("removeStaleTemps: removes the temp files writers of a path left (path.PID.tmp), and nothing else", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const names = [
      "a.json",
      "a.json.12.tmp",
      "a.json.9.tmp",
      "a.json.x.tmp",
      "a.json.12.tmp.bak",
      "b.json.12.tmp",
      "a.jso.1.tmp",
    ];
    for (const name of names) await Deno.writeTextFile(`${dir}/${name}`, "x");
    await Deno.mkdir(`${dir}/a.json.7.tmp`);
    assertEquals(await removeStaleTemps(`${dir}/a.json`), ["a.json.12.tmp", "a.json.9.tmp"]);
    const left = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(left, ["a.jso.1.tmp", "a.json", "a.json.12.tmp.bak", "a.json.7.tmp", "a.json.x.tmp", "b.json.12.tmp"]);
    // the temp file writeFileAtomic would use is one of those it removes
    await Deno.writeTextFile(atomicTempPath(`${dir}/a.json`), "x");
    assertEquals(await removeStaleTemps(`${dir}/a.json`), [`a.json.${Deno.pid}.tmp`]);
    assertEquals(await removeStaleTemps(`${dir}/missing/a.json`), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
