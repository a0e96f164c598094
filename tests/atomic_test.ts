/** The file helpers of src/io/atomic.ts: atomic writes, and whether a path exists. */
import { assertEquals, assertRejects } from "@std/assert";
import { pathExists, writeFileAtomic } from "../src/io/atomic.ts";

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
