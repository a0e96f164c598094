/**
 * Content hashes of files and bytes.
 * @module
 */

/**
 * The SHA-256 of bytes as 64 lowercase hex digits.
 *
 * @param bytes The content.
 * @returns The hex digest.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(
 *   await sha256Hex(new Uint8Array()),
 *   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
 * );
 * ```
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
