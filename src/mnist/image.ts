/**
 * Decodes the inputs of `deno task mnist-predict`: one 28x28 grey image from a PGM or PNG file, or
 * rows of a CSV of 784 values. Every decoder returns what the H6.1 networks take as one row of
 * `[N, 784]`: 784 grey values in [0, 1], row-major (row 0 first), float32, in MNIST's polarity
 * (0 the black background, 1 the white digit).
 *
 * The rules, one per format (the format is told by the file's first bytes, see {@link detectImageFormat}):
 *
 *   PGM     P2 (plain) or P5 (raw), 28x28, maxval 1..65535, `#` comments in the header (Netpbm's pgm(5)).
 *           P5 samples are 1 byte when maxval < 256, else 2 bytes, most significant first.
 *           value = sample / maxval.
 *   PNG     28x28, any colour type and depth the PNG spec allows (grey of 1..16 bits, grey+alpha, RGB, RGBA,
 *           palette), decoded by npm `fast-png` with CRCs checked. Colour becomes grey by ITU-R BT.601 luma,
 *           Y = 0.299 R + 0.587 G + 0.114 B, on the stored (gamma-encoded) values, so R = G = B gives that grey.
 *           Alpha (an alpha channel, a tRNS colour key, or palette alpha) is composited over a background:
 *           black (0) by default, white (1) for an image that is then inverted, so that a transparent pixel
 *           always ends up as MNIST's black background.
 *   CSV     one image per row: 784 comma-separated numbers, or 785 of which the first is the label (an
 *           integer 0..9). Values in [0, 1] (range "0..1"), or in [0, 255] divided by 255 (range "0..255").
 *           A first line in which no cell is a number is a header; blank lines are skipped; rows are
 *           numbered from 0, counting neither the header nor blank lines. No quoting.
 *   invert  value -> 1 - value: a black digit on white paper becomes MNIST's white digit on black.
 *
 * Errors are one line that begins with the input's name: a TypeError for bytes that are not the format
 * (a bad header, a cell that is not a number), a RangeError for a wrong size or a value out of range.
 * @module
 */
import { decode as decodePngFile, type DecodedPng, hasPngSignature } from "fast-png";
import { H61 } from "./spec.ts";

/** The formats {@link decodeImageFile} reads. */
export type ImageFormat = "pgm" | "png" | "csv";

/** What a CSV's values span: grey values in [0, 1], or bytes 0..255 (divided by 255). */
export type CsvRange = "0..1" | "0..255";

/** The values {@link CsvRange} may take, for a CLI's flag table. */
export const CSV_RANGES: readonly CsvRange[] = Object.freeze(["0..1", "0..255"]);

/** One decoded image. */
export interface DecodedImage {
  /** What to call it: the input's name, and for a CSV `NAME row R`. */
  source: string;
  /** Its row in a CSV, from 0 (header and blank lines not counted); absent for a PGM or PNG. */
  row?: number;
  /** The label of a CSV row of 785 values; absent otherwise. */
  label?: number;
  /** 784 grey values in [0, 1], row-major, float32. */
  pixels: Float32Array;
}

/** One row of a CSV, decoded by {@link decodeCsv}. */
export interface CsvImage {
  /** The row, from 0 (header and blank lines not counted). */
  row: number;
  /** Its line in the file, from 1. */
  line: number;
  /** The leading label of a row of 785 values; absent for a row of 784. */
  label?: number;
  /** 784 grey values in [0, 1], row-major, float32. */
  pixels: Float32Array;
}

/** Options of {@link decodePgm}. */
export interface PgmOptions {
  /** What to call the input in errors (its path). */
  name: string;
}

/** Options of {@link decodePng}. */
export interface PngOptions {
  /** What to call the input in errors (its path). */
  name: string;
  /** What a transparent pixel shows: black (0, the default) or white (1). */
  background?: "black" | "white";
}

/** Options of {@link decodeCsv}. */
export interface CsvOptions {
  /** What to call the input in errors (its path). */
  name: string;
  /** The row to decode (from 0; 0 when absent), or every row. */
  row?: number | "all";
  /** What the values span ("0..1" when absent). */
  range?: CsvRange;
}

/** Options of {@link decodeImageFile}. */
export interface DecodeImageOptions {
  /** What to call the input in errors and in `source` (its path). */
  name: string;
  /** For a CSV: the row to decode (from 0; 0 when absent), or every row. */
  row?: number | "all";
  /** For a CSV: what the values span ("0..1" when absent). */
  csvRange?: CsvRange;
  /** Whether the image is a black digit on white paper, to be inverted (and a PNG's alpha composited on white). */
  invert?: boolean;
}

const SIDE = H61.imageSide;
const PIXELS = H61.pixels;
/** Netpbm's largest maxval (pgm(5)). */
const PGM_MAX_MAXVAL = 65_535;
/** A CSV byte's full scale. */
const BYTE_MAX = 255;
/** Netpbm's white space: blank, tab, LF, VT, FF, CR. */
const WHITE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);
const HASH = 0x23;
/** A decimal number as a CSV cell writes it: no hex, no Infinity, no empty cell. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function checkKeys(options: object, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new TypeError(`Unknown ${what} option "${key}"`);
  }
}

/**
 * Quotes a token for a message: cut to 20 characters so that binary junk cannot flood it, and every
 * character outside printable ASCII written as `\xNN` or `\u{N}`, so that the message stays one
 * readable line.
 */
function quote(token: string): string {
  const cut = token.length > 20 ? `${token.slice(0, 20)}…` : token;
  let out = "";
  for (const c of cut) {
    const code = c.codePointAt(0)!;
    if (c === '"' || c === "\\") out += `\\${c}`;
    else if ((code >= 0x20 && code <= 0x7e) || c === "…") out += c;
    else out += code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  }
  return `"${out}"`;
}

/** Bytes as Latin-1 text: one character per byte, U+0000..U+00FF. */
function latin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return text;
}

function checkSide(name: string, format: string, width: number, height: number): void {
  if (width !== SIDE || height !== SIDE) {
    throw new RangeError(`${name}: ${format} image must be ${SIDE}x${SIDE}, got ${width}x${height}`);
  }
}

/**
 * Tells a file's format by its first bytes: the PNG signature is a PNG, `P` and a digit a Netpbm
 * file (read as PGM), anything else CSV. A name ending in `.png` or `.pgm` must hold that format.
 *
 * @param bytes The file's bytes.
 * @param name Its path, for the extension check and errors.
 * @returns The format.
 * @throws {TypeError} A `.png` or `.pgm` file that does not start as one, named.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(detectImageFormat(new TextEncoder().encode("P2\n28 28\n255\n"), "-"), "pgm");
 * assertEquals(detectImageFormat(new TextEncoder().encode("0,0.5,1"), "row.csv"), "csv");
 * ```
 */
export function detectImageFormat(bytes: Uint8Array, name: string): ImageFormat {
  const format: ImageFormat = hasPngSignature(bytes)
    ? "png"
    : /^P\d$/.test(latin1(bytes.subarray(0, 2)))
    ? "pgm"
    : "csv";
  const ext = /\.(png|pgm)$/i.exec(name)?.[1].toLowerCase();
  if (ext === "png" && format !== "png") {
    throw new TypeError(`${name}: not a PNG file: it does not start with the PNG signature`);
  }
  if (ext === "pgm" && format !== "pgm") {
    throw new TypeError(
      `${name}: not a PGM file: it must start with P2 or P5, got ${quote(latin1(bytes.subarray(0, 2)))}`,
    );
  }
  return format;
}

/**
 * Decodes a 28x28 PGM, P2 (plain) or P5 (raw), maxval 1..65535, with `#` comments in its header,
 * into sample / maxval.
 *
 * @param bytes The file's bytes.
 * @param options Its name, for errors.
 * @returns 784 grey values in [0, 1], row-major, float32.
 * @throws {TypeError} Not P2 or P5, or a header field or P2 sample that is not an integer, named.
 * @throws {RangeError} A size other than 28x28, a maxval outside 1..65535, a raster of the wrong length,
 *   or a sample above maxval, named with the value.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * const raster = new Uint8Array(784);
 * raster[0] = 255; // row 0, column 0: white
 * const header = new TextEncoder().encode("P5\n# a comment\n28 28\n255\n");
 * const x = decodePgm(new Uint8Array([...header, ...raster]), { name: "one.pgm" });
 * assertEquals([x.length, x[0], x[1]], [784, 1, 0]);
 * ```
 */
export function decodePgm(bytes: Uint8Array, options: PgmOptions): Float32Array {
  checkKeys(options, ["name"], "PGM decode");
  const { name } = options;
  const magic = latin1(bytes.subarray(0, 2));
  if (magic !== "P2" && magic !== "P5") {
    if (/^P\d$/.test(magic)) {
      throw new TypeError(`${name}: a ${magic} Netpbm file is not a grey map: only PGM P2 and P5 are read`);
    }
    throw new TypeError(`${name}: not a PGM file: it must start with P2 or P5, got ${quote(magic)}`);
  }
  let at = 2;
  if (at < bytes.length && !WHITE.has(bytes[at]) && bytes[at] !== HASH) {
    throw new TypeError(
      `${name}: bad PGM header: white space must follow ${magic}, got ${quote(latin1(bytes.subarray(at, at + 1)))}`,
    );
  }
  /** The next header field: skips white space and comments, then reads a decimal integer. */
  const field = (what: string): number => {
    while (at < bytes.length && (WHITE.has(bytes[at]) || bytes[at] === HASH)) {
      if (bytes[at] === HASH) {
        while (at < bytes.length && bytes[at] !== 0x0a && bytes[at] !== 0x0d) at++;
      } else {
        at++;
      }
    }
    const start = at;
    while (at < bytes.length && !WHITE.has(bytes[at]) && bytes[at] !== HASH) at++;
    const token = latin1(bytes.subarray(start, at));
    if (!/^\d+$/.test(token)) {
      const got = token === "" ? "the end of the file" : quote(token);
      throw new TypeError(`${name}: bad PGM header: ${what} must be a positive integer, got ${got}`);
    }
    return Number(token);
  };
  const width = field("width");
  const height = field("height");
  const maxval = field("maxval");
  checkSide(name, "PGM", width, height);
  if (maxval < 1 || maxval > PGM_MAX_MAXVAL) {
    throw new RangeError(`${name}: PGM maxval must be in 1..${PGM_MAX_MAXVAL}, got ${maxval}`);
  }
  // one white space character ends the header (a comment may come before it)
  if (bytes[at] === HASH) { while (at < bytes.length && bytes[at] !== 0x0a && bytes[at] !== 0x0d) at++; }
  if (at < bytes.length) at++;
  const raster = bytes.subarray(at);
  const out = new Float32Array(PIXELS);
  const put = (i: number, sample: number) => {
    if (sample > maxval) {
      throw new RangeError(
        `${name}: PGM sample ${sample} at row ${Math.floor(i / SIDE)}, column ${i % SIDE} exceeds maxval ${maxval}`,
      );
    }
    out[i] = sample / maxval;
  };
  if (magic === "P5") {
    const size = maxval < 256 ? 1 : 2;
    if (raster.length !== PIXELS * size) {
      throw new RangeError(
        `${name}: PGM P5 raster must hold ${PIXELS * size} bytes (${SIDE}x${SIDE} samples of ${size} byte${
          size > 1 ? "s" : ""
        }), got ${raster.length}`,
      );
    }
    for (let i = 0; i < PIXELS; i++) put(i, size === 1 ? raster[i] : (raster[2 * i] << 8) | raster[2 * i + 1]);
    return out;
  }
  const tokens = latin1(raster).split(/[ \t\n\v\f\r]+/).filter((t) => t !== "");
  tokens.forEach((token, i) => {
    if (!/^\d+$/.test(token)) {
      throw new TypeError(`${name}: PGM P2 sample ${i} is not a non-negative integer: ${quote(token)}`);
    }
    if (i < PIXELS) put(i, Number(token));
  });
  if (tokens.length !== PIXELS) {
    throw new RangeError(`${name}: PGM P2 raster must hold ${PIXELS} samples (${SIDE}x${SIDE}), got ${tokens.length}`);
  }
  return out;
}

/** PNG colour types (PNG spec, 11.2.2 IHDR). */
const PNG_GREY = 0;
const PNG_RGB = 2;
const PNG_PALETTE = 3;
const PNG_GREY_ALPHA = 4;
const PNG_RGBA = 6;

/** ITU-R BT.601 luma of R, G, B samples of full scale `max`, in [0, 1]; exact for R = G = B. */
function luma(r: number, g: number, b: number, max: number): number {
  return (299 * r + 587 * g + 114 * b) / (1000 * max);
}

/** An error's message and its causes' messages, on one line. */
function messages(error: unknown): string {
  const parts: string[] = [];
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) parts.push(e.message);
  return parts.join(" ").replace(/\s+/g, " ").trim() || String(error);
}

/**
 * Decodes a 28x28 PNG of any colour type and bit depth into grey values: colour by ITU-R BT.601 luma,
 * alpha composited over `options.background` (black by default). See the module's header for the rules.
 *
 * @param bytes The file's bytes.
 * @param options Its name for errors, and what transparent pixels show.
 * @returns 784 grey values in [0, 1], row-major, float32.
 * @throws {TypeError} Bytes that are not a PNG or do not decode (e.g. a bad CRC), named.
 * @throws {RangeError} A size other than 28x28, or a palette index past the palette, named with the value.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { encode } from "fast-png";
 * const data = new Uint8Array(784 * 4); // RGBA, all transparent
 * data.set([255, 0, 0, 255], 0); // row 0, column 0: opaque red
 * const png = encode({ width: 28, height: 28, data, channels: 4, depth: 8 });
 * const x = decodePng(png, { name: "red.png" });
 * assertEquals([x[0], x[1]], [Math.fround(0.299), 0]); // red's luma; transparent on black
 * assertEquals(decodePng(png, { name: "red.png", background: "white" })[1], 1);
 * ```
 */
export function decodePng(bytes: Uint8Array, options: PngOptions): Float32Array {
  checkKeys(options, ["name", "background"], "PNG decode");
  const { name, background = "black" } = options;
  if (background !== "black" && background !== "white") {
    throw new TypeError(`PNG background must be "black" or "white", got ${quote(String(background))}`);
  }
  if (!hasPngSignature(bytes)) throw new TypeError(`${name}: not a PNG file: it does not start with the PNG signature`);
  // IHDR must come first (PNG spec, 5.6): its size is checked before anything is inflated
  if (bytes.length < 26 || latin1(bytes.subarray(12, 16)) !== "IHDR") {
    throw new TypeError(`${name}: cannot decode PNG: its first chunk must be IHDR`);
  }
  const header = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkSide(name, "PNG", header.getUint32(16), header.getUint32(20));
  const colorType = bytes[25];
  let png: DecodedPng;
  try {
    png = decodePngFile(bytes, { checkCrc: true });
  } catch (error) {
    // fast-png reads through a DataView: running past its end means the file stops early
    const why = error instanceof RangeError && /outside the bounds/.test(error.message)
      ? "the file ends before its IEND chunk"
      : messages(error);
    throw new TypeError(`${name}: cannot decode PNG: ${why}`, { cause: error });
  }
  checkSide(name, "PNG", png.width, png.height);
  const { depth, channels, data, palette, transparency } = png;
  const packed = depth < 8;
  const rowBytes = Math.ceil((SIDE * depth * channels) / 8);
  const expected = packed ? rowBytes * SIDE : PIXELS * channels;
  if (data.length !== expected) {
    throw new TypeError(`${name}: cannot decode PNG: it decodes to ${data.length} samples, expected ${expected}`);
  }
  if (colorType === PNG_PALETTE && !palette?.length) {
    throw new TypeError(`${name}: cannot decode PNG: an indexed-colour image has no palette (PLTE)`);
  }
  const max = 2 ** depth - 1;
  const mask = max;
  /** Sample `c` of pixel `p`; samples under 8 bits are packed from the high bit, rows padded to a byte. */
  const sample = (p: number, c: number): number => {
    if (!packed) return data[p * channels + c];
    const y = Math.floor(p / SIDE);
    const bit = (p % SIDE) * depth;
    return (data[y * rowBytes + (bit >> 3)] >> (8 - depth - (bit & 7))) & mask;
  };
  const back = background === "white" ? 1 : 0;
  const out = new Float32Array(PIXELS);
  for (let p = 0; p < PIXELS; p++) {
    let grey: number;
    let alpha = 1;
    switch (colorType) {
      case PNG_GREY: {
        const v = sample(p, 0);
        grey = v / max;
        if (transparency?.length === 1 && v === transparency[0]) alpha = 0;
        break;
      }
      case PNG_RGB: {
        const [r, g, b] = [sample(p, 0), sample(p, 1), sample(p, 2)];
        grey = luma(r, g, b, max);
        const t = transparency;
        if (t?.length === 3 && r === t[0] && g === t[1] && b === t[2]) alpha = 0;
        break;
      }
      case PNG_PALETTE: {
        const index = sample(p, 0);
        const entry = palette![index];
        if (!entry) {
          throw new RangeError(
            `${name}: PNG palette index ${index} at row ${Math.floor(p / SIDE)}, column ${
              p % SIDE
            } is past the palette's ${palette!.length} entries`,
          );
        }
        grey = luma(entry[0], entry[1], entry[2], BYTE_MAX);
        alpha = (entry[3] ?? BYTE_MAX) / BYTE_MAX;
        break;
      }
      case PNG_GREY_ALPHA:
        grey = sample(p, 0) / max;
        alpha = sample(p, 1) / max;
        break;
      case PNG_RGBA:
        grey = luma(sample(p, 0), sample(p, 1), sample(p, 2), max);
        alpha = sample(p, 3) / max;
        break;
      default:
        throw new TypeError(`${name}: cannot decode PNG: unknown colour type ${colorType}`);
    }
    out[p] = Math.min(1, Math.max(0, alpha * grey + (1 - alpha) * back));
  }
  return out;
}

/**
 * Decodes rows of a CSV of 784 comma-separated values (or 785, the first a label 0..9). See the
 * module's header for the header, blank line and numbering rules.
 *
 * @param text The file's text.
 * @param options Its name for errors, the row (from 0; 0 when absent) or `"all"`, and the values' range.
 * @returns The rows asked for, each with its line, label and 784 grey values in [0, 1].
 * @throws {TypeError} A cell that is not a number, named by line and column.
 * @throws {RangeError} No rows, a row past the last, a row of another length, a value out of range
 *   or a label that is not 0..9, named with the value.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * const row = ["7", ...new Array(784).fill("0")];
 * row[1] = "255";
 * const [image] = decodeCsv(`label,pixels\n${row.join(",")}\n`, { name: "one.csv", range: "0..255" });
 * assertEquals([image.row, image.line, image.label, image.pixels[0], image.pixels[1]], [0, 2, 7, 1, 0]);
 * ```
 */
export function decodeCsv(text: string, options: CsvOptions): CsvImage[] {
  checkKeys(options, ["name", "row", "range"], "CSV decode");
  const { name, row = 0, range = "0..1" } = options;
  if (!CSV_RANGES.includes(range)) {
    throw new TypeError(`CSV range must be one of ${CSV_RANGES.join(", ")}, got ${quote(String(range))}`);
  }
  if (row !== "all" && !(Number.isSafeInteger(row) && row >= 0)) {
    throw new RangeError(`CSV row must be an integer >= 0 or "all", got ${row}`);
  }
  const lines = text.split(/\r\n|\n|\r/);
  const rows: number[] = []; // the index in `lines` of each row
  let header = false;
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    if (rows.length === 0 && !header && !line.split(",").some((c) => NUMBER.test(c.trim()))) header = true;
    else rows.push(i);
  });
  if (rows.length === 0) throw new RangeError(`${name}: holds ${header ? "a header but " : ""}no rows`);
  if (row !== "all" && row >= rows.length) {
    throw new RangeError(
      `${name}: has no row ${row}: it holds ${rows.length} row${rows.length > 1 ? "s" : ""}, numbered from 0`,
    );
  }
  const scale = range === "0..1" ? 1 : BYTE_MAX;
  const decodeRow = (r: number): CsvImage => {
    const line = rows[r] + 1;
    const cells = lines[rows[r]].split(",");
    if (cells.length !== PIXELS && cells.length !== PIXELS + 1) {
      throw new RangeError(
        `${name} line ${line}: a row must hold ${PIXELS} values, or ${
          PIXELS + 1
        } with a leading label, got ${cells.length}`,
      );
    }
    const labelled = cells.length === PIXELS + 1;
    const number = (column: number, what: string): number => {
      const cell = cells[column - 1].trim();
      if (!NUMBER.test(cell)) {
        throw new TypeError(`${name} line ${line}, column ${column}: ${what}${quote(cell)} is not a number`);
      }
      return Number(cell);
    };
    let label: number | undefined;
    if (labelled) {
      label = number(1, "label ");
      if (!Number.isInteger(label) || label < 0 || label >= H61.classes) {
        throw new RangeError(
          `${name} line ${line}, column 1: label ${cells[0].trim()} must be an integer 0..${H61.classes - 1}`,
        );
      }
    }
    const pixels = new Float32Array(PIXELS);
    const first = labelled ? 2 : 1;
    for (let i = 0; i < PIXELS; i++) {
      const v = number(first + i, "");
      if (!(v >= 0 && v <= scale)) {
        throw new RangeError(
          `${name} line ${line}, column ${first + i}: ${cells[first + i - 1].trim()} is outside ${range}`,
        );
      }
      pixels[i] = v === 0 ? 0 : v / scale; // a cell "-0" gives 0, not -0
    }
    return label === undefined ? { row: r, line, pixels } : { row: r, line, label, pixels };
  };
  return row === "all" ? rows.map((_, r) => decodeRow(r)) : [decodeRow(row)];
}

/**
 * Inverts grey values: 1 - value, for a black digit on white paper.
 *
 * @param pixels Grey values in [0, 1] (not changed).
 * @returns A new array.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals([...invertImage(Float32Array.of(0, 0.25, 1))], [1, 0.75, 0]);
 * ```
 */
export function invertImage(pixels: Float32Array): Float32Array {
  return pixels.map((v) => 1 - v);
}

/**
 * Decodes a file of any of the three formats ({@link detectImageFormat}) into its images: one for a
 * PGM or PNG, the rows asked for of a CSV; inverted when `options.invert` (a PNG's alpha is then
 * composited on white before inverting, so that transparent pixels end up black).
 *
 * @param bytes The file's bytes.
 * @param options Its name, the CSV's row and range, and whether to invert.
 * @returns The images, each with its source, its CSV row and label, and 784 grey values in [0, 1].
 * @throws {TypeError|RangeError} What {@link decodePgm}, {@link decodePng} or {@link decodeCsv} throws.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * const csv = new TextEncoder().encode(`${new Array(784).fill(0).join(",")}\n`);
 * const [image] = decodeImageFile(csv, { name: "zeros.csv", invert: true });
 * assertEquals([image.source, image.row, image.pixels[0]], ["zeros.csv row 0", 0, 1]);
 * ```
 */
export function decodeImageFile(bytes: Uint8Array, options: DecodeImageOptions): DecodedImage[] {
  checkKeys(options, ["name", "row", "csvRange", "invert"], "image decode");
  const { name, invert = false } = options;
  const finish = (pixels: Float32Array) => invert ? invertImage(pixels) : pixels;
  switch (detectImageFormat(bytes, name)) {
    case "png":
      return [{ source: name, pixels: finish(decodePng(bytes, { name, background: invert ? "white" : "black" })) }];
    case "pgm":
      return [{ source: name, pixels: finish(decodePgm(bytes, { name })) }];
    case "csv": {
      const text = new TextDecoder().decode(bytes);
      return decodeCsv(text, { name, row: options.row ?? 0, range: options.csvRange ?? "0..1" }).map((r) => {
        const image: DecodedImage = { source: `${name} row ${r.row}`, row: r.row, pixels: finish(r.pixels) };
        if (r.label !== undefined) image.label = r.label;
        return image;
      });
    }
  }
}
