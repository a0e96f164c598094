/**
 * The tensor file: a JSON header and named float32 tensors in one file. Both checkpoints use it,
 * each under its own magic line (src/model_dir/checkpoint.ts, src/mnist/checkpoint.ts).
 *
 * Layout: the magic line, a little-endian u32 with the byte length of the JSON header, the header
 * (the caller's fields, then `tensors`: a table of `{ name, shape, offset, length }`, offset and
 * length in float32 values), zero padding to a multiple of 4, then every tensor's float32 values,
 * little-endian, in table order. Float32 values go in as bytes, so they come back bit for bit.
 * @module
 */

/** A named float32 tensor. */
export interface NamedArray {
  /** The tensor's name, such as `weights/kernel` or `adam/m/bias`. */
  name: string;
  /** The tensor's shape; `[]` for a scalar. */
  shape: number[];
  /** The values, row-major. */
  values: Float32Array;
}

/** An entry of a tensor file's table. */
export interface TensorEntry {
  /** The tensor's name. */
  name: string;
  /** The tensor's shape. */
  shape: number[];
  /** Where its values start, in float32 values from the start of the tensor data. */
  offset: number;
  /** How many values it has: the product of `shape`. */
  length: number;
}

/** What a tensor file holds. */
export interface TensorFileContents {
  /** The header's fields (JSON values), written before the tensor table. */
  header: Record<string, unknown>;
  /** The tensors, in file order. */
  tensors: readonly NamedArray[];
}

/** Options of {@link decodeTensorFile}. */
export interface DecodeTensorFileOptions {
  /** The file's first line, with its `\n`. */
  magic: string;
  /** What the file must be, for the message when the magic line is missing: `an MNIST checkpoint`. */
  kind: string;
  /**
   * Throws the format's error for a fault: `what` ends a sentence about the file
   * (`is truncated in its header`), and `cause` is the underlying error when there is one.
   */
  fail: (what: string, cause?: unknown) => never;
}

/** A decoded tensor file: its header, not yet checked, and a reader of the tensors it lists. */
export interface TensorFile {
  /** The JSON header as parsed. */
  header: unknown;
  /**
   * Reads the tensors a table lists, in order, and checks that they fill the tensor data exactly.
   *
   * @param table The header's tensor table.
   * @param entry Checks entry `index` of the table (`value`) and returns it; its offset must be
   *   `next`, where the previous tensor ends. It throws the format's error for a bad entry.
   * @returns The tensors.
   */
  tensors(
    table: readonly unknown[],
    entry: (value: unknown, index: number, next: number) => TensorEntry,
  ): NamedArray[];
}

const encoder = new TextEncoder();

/** Where the tensor data starts: after the magic line, the length and the header, padded to 4. */
function dataStart(magic: Uint8Array, headerLength: number): number {
  return Math.ceil((magic.length + 4 + headerLength) / 4) * 4;
}

/**
 * Encodes a header and tensors as a tensor file.
 *
 * @param contents The header's fields and the tensors.
 * @param options `magic`: the file's first line, with its `\n`.
 * @returns The file's bytes.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * const tensors = [{ name: "b", shape: [2], values: new Float32Array([0.1, -2]) }];
 * const bytes = encodeTensorFile({ header: { step: 3 }, tensors }, { magic: "demo 1\n" });
 * const fail = (what: string): never => {
 *   throw new RangeError(what);
 * };
 * const file = decodeTensorFile(bytes, { magic: "demo 1\n", kind: "a demo file", fail });
 * const table = (file.header as { tensors: unknown[] }).tensors;
 * assertEquals(file.tensors(table, (v) => v as TensorEntry), tensors);
 * ```
 */
export function encodeTensorFile(contents: TensorFileContents, options: { magic: string }): Uint8Array {
  let offset = 0;
  const table = contents.tensors.map((t): TensorEntry => {
    const entry = { name: t.name, shape: t.shape, offset, length: t.values.length };
    offset += t.values.length;
    return entry;
  });
  const header = encoder.encode(JSON.stringify({ ...contents.header, tensors: table }));
  const magic = encoder.encode(options.magic);
  const start = dataStart(magic, header.length);
  const bytes = new Uint8Array(start + 4 * offset);
  bytes.set(magic, 0);
  new DataView(bytes.buffer).setUint32(magic.length, header.length, true);
  bytes.set(header, magic.length + 4);
  const view = new DataView(bytes.buffer, start);
  for (const [k, t] of contents.tensors.entries()) {
    const at = 4 * table[k].offset;
    t.values.forEach((v, i) => view.setFloat32(at + 4 * i, v, true));
  }
  return bytes;
}

/**
 * Decodes a tensor file's frame: the magic line and the JSON header. The caller checks the
 * header's fields, then reads the tensors with {@link TensorFile.tensors}.
 *
 * @param bytes The file's bytes.
 * @param options The magic line, what to call the file, and how to fail.
 * @returns The header and a reader of the tensors.
 * @throws {Error} Whatever `options.fail` throws: for a missing magic line (`is not KIND`), a cut
 *   header, a header that is not JSON, a tensor past the end of the file, or values beyond the last
 *   tensor.
 */
export function decodeTensorFile(bytes: Uint8Array, options: DecodeTensorFileOptions): TensorFile {
  const { fail } = options;
  const magic = encoder.encode(options.magic);
  if (bytes.length < magic.length + 4 || magic.some((b, i) => bytes[i] !== b)) fail(`is not ${options.kind}`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(magic.length, true);
  if (magic.length + 4 + headerLength > bytes.length) fail("is truncated in its header");
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(
      bytes.subarray(magic.length + 4, magic.length + 4 + headerLength),
    ));
  } catch (error) {
    fail("has a header that is not JSON", error);
  }
  return {
    header,
    tensors(table, entry) {
      const start = dataStart(magic, headerLength);
      if (start > bytes.length) fail("is truncated before its tensors");
      const floats = (bytes.length - start) / 4;
      const view = new DataView(bytes.buffer, bytes.byteOffset + start);
      let next = 0;
      const tensors = table.map((v, i): NamedArray => {
        const e = entry(v, i, next);
        if (e.offset + e.length > floats) fail(`is truncated in tensor ${i}`);
        next = e.offset + e.length;
        const values = new Float32Array(e.length);
        for (let k = 0; k < e.length; k++) values[k] = view.getFloat32(4 * (e.offset + k), true);
        return { name: e.name, shape: e.shape, values };
      });
      if (next !== floats) fail(`holds ${floats - next} float32 values beyond its tensors`);
      return tensors;
    },
  };
}
