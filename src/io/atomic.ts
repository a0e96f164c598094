/**
 * Writes that never leave a half-written file: write a temp file beside the target, then rename.
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
  const tmp = `${path}.${Deno.pid}.tmp`;
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
 * Writes a value as pretty JSON, atomically; NaN and infinities become null.
 *
 * @param path The target file.
 * @param value Anything JSON can hold.
 */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}
