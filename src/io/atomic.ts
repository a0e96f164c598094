/**
 * Writes that never leave a half-written file or directory: write a temp file (or a staging folder)
 * beside the target, then rename.
 * @module
 */

/**
 * Writes bytes or text to `path` atomically.
 *
 * @param path The target file; its folder is created when missing.
 * @param data Bytes or UTF-8 text.
 * @throws {Deno.errors.PermissionDenied|Error} When the folder cannot be written; the target is untouched.
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
): Promise<void> {
  const slash = path.lastIndexOf("/");
  if (slash > 0) await Deno.mkdir(path.slice(0, slash), { recursive: true });
  const tmp = atomicTempPath(path);
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}

/**
 * The temp file {@link writeFileAtomic} writes beside `path` before renaming it: one per writing process.
 *
 * @param path The target file.
 * @param pid The writing process; this one's unless given.
 * @returns `path.PID.tmp`.
 */
export function atomicTempPath(path: string, pid: number = Deno.pid): string {
  return `${path}.${pid}.tmp`;
}

/**
 * Removes the temp files that writers of `path` left beside it when they died between writing and renaming
 * (`path.PID.tmp`, {@link atomicTempPath}). Only for a target that no live process is writing.
 *
 * @param path The target file.
 * @returns The names of the files removed; none when the folder does not exist.
 */
export async function removeStaleTemps(path: string): Promise<string[]> {
  const slash = path.lastIndexOf("/");
  const dir = slash >= 0 ? path.slice(0, slash) || "/" : ".";
  const base = slash >= 0 ? path.slice(slash + 1) : path;
  const removed: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const pid = entry.name.startsWith(`${base}.`) && entry.name.endsWith(".tmp")
        ? entry.name.slice(base.length + 1, -".tmp".length)
        : "";
      if (entry.isFile && /^[0-9]+$/.test(pid)) {
        await Deno.remove(`${dir}/${entry.name}`);
        removed.push(entry.name);
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return removed.sort();
}

/**
 * Writes a value as pretty JSON, atomically; NaN and infinities become null.
 *
 * @param path The target file.
 * @param value Anything JSON can hold.
 */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}

/** Options of {@link swapIntoPlace}. */
export interface SwapOptions {
  /** Where the old directory waits, in the same parent, until the new one has its name. */
  old: string;
  /** Turns the error of a failed rename into the one to throw (the error itself when absent). */
  renameError?: (error: unknown) => unknown;
}

/**
 * Replaces the directory `dir` by the folder `staging` with renames in one parent: the old
 * directory, if any, moves aside to `options.old`, the new one takes its name, the old one is
 * deleted. When the new one cannot take the name, the old one gets it back.
 *
 * @param staging The complete new directory.
 * @param dir The target; it need not exist.
 * @param options Where the old directory waits, and how to report a failed rename.
 * @throws {Error} `options.renameError` of a rename that fails (`dir` is as it was), or a
 *   failure to delete the old directory (`dir` is the new one).
 */
export async function swapIntoPlace(staging: string, dir: string, options: SwapOptions): Promise<void> {
  for (const key of Object.keys(options)) {
    if (key !== "old" && key !== "renameError") throw new TypeError(`Unknown swap option "${key}"`);
  }
  const renameError = options.renameError ?? ((error: unknown) => error);
  let parked = false;
  try {
    await Deno.rename(dir, options.old);
    parked = true;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw renameError(error);
  }
  try {
    await Deno.rename(staging, dir);
  } catch (error) {
    if (parked) await Deno.rename(options.old, dir).catch(() => {});
    throw renameError(error);
  }
  if (parked) await Deno.remove(options.old, { recursive: true });
}

/**
 * Whether a path exists (a file or a directory).
 *
 * @param path The path.
 * @returns `false` only when it is not found (a missing entry, or a file where a folder of the path should be).
 * @throws {Deno.errors.PermissionDenied|Error} Any other failure to stat it, such as a missing read permission.
 */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) return false;
    throw error;
  }
}
