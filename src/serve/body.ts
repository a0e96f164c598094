/**
 * A `POST /predict` request body from bytes to series: the Content-Type rule, reading the body
 * with a byte limit into one buffer, and parsing it. Every failure is an {@link InputError}
 * with its HTTP status, and no message quotes more than {@link MAX_ECHO} characters of input.
 * @module
 */
import { checkPredictBody, InputError } from "../core/input.ts";

/** Largest request body accepted, in bytes. */
export const MAX_BODY_BYTES = 1_000_000;

/** Most characters of a request's own text quoted back in an error message. */
export const MAX_ECHO = 120;

/**
 * Cuts a value quoted in an error down to {@link MAX_ECHO} characters.
 *
 * @param text The value.
 * @returns It, or its start followed by how much was cut.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(truncate("abc"), "abc");
 * assertEquals(truncate("x".repeat(200)).endsWith("… (80 more characters)"), true);
 * ```
 */
export function truncate(text: string): string {
  return text.length <= MAX_ECHO ? text : `${text.slice(0, MAX_ECHO)}… (${text.length - MAX_ECHO} more characters)`;
}

/**
 * Checks a Content-Type header: the media type must be `application/json` (any case), with no
 * parameter but an optional `charset` of `utf-8`.
 *
 * @param header The header's value, or null when absent.
 * @throws {InputError} Status 415, naming the type received.
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * checkJsonContentType("application/json; charset=UTF-8");
 * assertThrows(() => checkJsonContentType("application/json-patch+json"));
 * ```
 */
export function checkJsonContentType(header: string | null): void {
  const [type, ...params] = (header ?? "").split(";").map((s) => s.trim());
  const ok = type.toLowerCase() === "application/json" && params.every((p) => {
    const m = /^charset\s*=\s*"?([^"]*)"?$/i.exec(p);
    return m !== null && m[1].toLowerCase() === "utf-8";
  });
  if (!ok) {
    throw new InputError(
      `Content-Type must be application/json (charset utf-8 or none), got ${JSON.stringify(truncate(header ?? ""))}`,
      415,
    );
  }
}

/**
 * Reads a body into one buffer, failing as soon as it passes the limit. Each chunk is copied
 * and dropped, so memory follows the bytes received, not the number of chunks.
 *
 * @param chunks The body's chunks.
 * @param options `maxBytes` (default {@link MAX_BODY_BYTES}) and the declared Content-Length,
 *   used to size the buffer (never beyond the limit).
 * @returns The bytes.
 * @throws {InputError} Status 413 over the limit.
 */
export async function readBody(
  chunks: AsyncIterable<Uint8Array>,
  options: { maxBytes?: number; contentLength?: number } = {},
): Promise<Uint8Array> {
  const max = options.maxBytes ?? MAX_BODY_BYTES;
  const declared = options.contentLength;
  if (declared !== undefined && declared > max) {
    throw new InputError(`Body of ${declared} bytes is over the ${max}-byte limit`, 413);
  }
  let buffer = new Uint8Array(declared ?? 4096);
  let size = 0;
  for await (const chunk of chunks) {
    if (size + chunk.length > max) throw new InputError(`Body is over the ${max}-byte limit`, 413);
    if (size + chunk.length > buffer.length) {
      const grown = new Uint8Array(Math.min(max, Math.max(2 * buffer.length, size + chunk.length)));
      grown.set(buffer.subarray(0, size));
      buffer = grown;
    }
    buffer.set(chunk, size);
    size += chunk.length;
  }
  return buffer.subarray(0, size);
}

/**
 * Parses a `POST /predict` body: UTF-8 JSON, `{"series": [digits]}` or `{"series": [[digits], ...]}`.
 *
 * @param bytes The body.
 * @returns The series.
 * @throws {InputError} Status 400 (bad UTF-8, bad JSON, bad series) or 413 (too many rows).
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * const body = new TextEncoder().encode(JSON.stringify({ series: new Array(30).fill(9) }));
 * assertEquals(parsePredictBody(body).length, 1);
 * ```
 */
export function parsePredictBody(bytes: Uint8Array): number[][] {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new InputError("Body is not valid UTF-8");
  }
  if (text.trim() === "") throw new InputError('Body is empty; send {"series": [digits]}');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new InputError(`Body is not valid JSON: ${truncate((e as Error).message)}`);
  }
  try {
    return checkPredictBody(body).rows;
  } catch (e) {
    if (e instanceof InputError) throw new InputError(truncate(e.message), e.status);
    throw e;
  }
}
