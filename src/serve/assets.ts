/**
 * The static files the server hands out (the page, its scripts, onnxruntime-web's files and the
 * model), read once at start and kept in memory with a strong ETag. Each request then shares
 * the same bytes: no disk read and no copy per request.
 * @module
 */

/** One file held in memory. */
export interface Asset {
  /** The bytes, shared by every response. */
  bytes: Uint8Array;
  /** The Content-Type. */
  type: string;
  /** A strong ETag: a quoted digest of the bytes. */
  etag: string;
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  json: "application/json",
  wasm: "application/wasm",
  onnx: "application/octet-stream",
};

/**
 * Wraps bytes as an asset.
 *
 * @param bytes The content.
 * @param name A file name; its extension gives the Content-Type.
 * @returns The asset with its ETag.
 */
export async function makeAsset(bytes: Uint8Array, name: string): Promise<Asset> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  const ext = name.split(".").pop() ?? "";
  return { bytes, type: TYPES[ext] ?? "application/octet-stream", etag: `"${hex(digest.subarray(0, 16))}"` };
}

/**
 * Reads files into assets, once.
 *
 * @param files URL path → file URL.
 * @returns URL path → asset.
 * @throws {Deno.errors.NotFound} A missing file (and other read errors), as Deno reports them.
 */
export async function loadAssets(files: Record<string, URL>): Promise<Map<string, Asset>> {
  const out = new Map<string, Asset>();
  for (const [path, url] of Object.entries(files)) {
    out.set(path, await makeAsset(await Deno.readFile(url), url.pathname));
  }
  return out;
}

/**
 * Whether an If-None-Match header matches an ETag (weak comparison, as RFC 9110 asks for GET).
 *
 * @param header The header's value, or null.
 * @param etag The current ETag.
 * @returns True when the client's copy is current.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(matchesEtag('"a", W/"b"', '"b"'), true);
 * assertEquals(matchesEtag('"a"', '"b"'), false);
 * ```
 */
export function matchesEtag(header: string | null, etag: string): boolean {
  if (header === null) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}
