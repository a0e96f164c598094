/**
 * src/mnist/image.ts: the PGM, PNG and CSV decoders of `deno task mnist-predict`. Every file is
 * built here: PGM bytes by hand, PNGs with fast-png's own encoder (and chunks spliced in by hand
 * where the encoder writes none), CSV as text.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import fc from "fast-check";
import { encode, type ImageData } from "fast-png";
import {
  decodeCsv,
  decodeImageFile,
  decodePgm,
  decodePng,
  detectImageFormat,
  invertImage,
} from "../src/mnist/image.ts";

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const ascii = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
/** Pixel i's value in a fixed pattern of 0..max: every value 0..255 appears for max 255. */
const pattern = (max: number) => Array.from({ length: PIXELS }, (_, i) => (i * 37 + (i >> 5)) % (max + 1));
/** What the decoders must return for samples of full scale `max`. */
const scaled = (samples: number[], max: number) => Float32Array.from(samples, (s) => s / max);

function p5(samples: number[], maxval: number, header = `P5\n${SIDE} ${SIDE}\n${maxval}\n`): Uint8Array {
  const wide = maxval > 255;
  const raster = new Uint8Array(samples.length * (wide ? 2 : 1));
  samples.forEach((s, i) => {
    if (wide) raster.set([s >> 8, s & 0xff], 2 * i);
    else raster[i] = s;
  });
  return concat(ascii(header), raster);
}

function p2(samples: number[], maxval: number, header = `P2\n${SIDE} ${SIDE}\n${maxval}\n`): Uint8Array {
  const rows = Array.from({ length: SIDE }, (_, y) => samples.slice(y * SIDE, (y + 1) * SIDE).join(" "));
  return ascii(header + rows.join("\n") + "\n");
}

/** The error a call throws, checked to be of `cls`. */
function error(fn: () => unknown, cls: new (...args: never[]) => Error): string {
  return assertThrows(fn, cls).message;
}

// --- PGM -------------------------------------------------------------------------------------

Deno.test("decodePgm() reads P5 with 1-byte samples as sample / maxval, row-major", () => {
  const samples = pattern(255);
  assertEquals(decodePgm(p5(samples, 255), { name: "a.pgm" }), scaled(samples, 255));
  const x = decodePgm(p5(samples.map((_, i) => (i === SIDE ? 200 : 0)), 200), { name: "a.pgm" });
  assertEquals([x[SIDE - 1], x[SIDE], x[SIDE + 1]], [0, 1, 0]); // row 1, column 0
});

Deno.test("decodePgm() reads P5 with 2-byte samples, most significant byte first, when maxval > 255", () => {
  const samples = pattern(255).map((s) => s * 257); // 0..65535
  assertEquals(decodePgm(p5(samples, 65_535), { name: "a.pgm" }), scaled(samples, 65_535));
  const one = p5(new Array(PIXELS).fill(0x0102), 1000);
  assertEquals(decodePgm(one, { name: "a.pgm" })[0], Math.fround(258 / 1000));
});

Deno.test("decodePgm() reads P2 with comments and any white space in the header", () => {
  const samples = pattern(1000);
  const header = "P2 # plain\n#only a comment\r\n 28\t28# width height\n\n1000\n";
  assertEquals(decodePgm(p2(samples, 1000, header), { name: "a.pgm" }), scaled(samples, 1000));
  // a comment right after maxval, then the one white space character that ends the header
  const p5Header = `P5 28 28 255# end\n`;
  assertEquals(decodePgm(p5(pattern(255), 255, p5Header), { name: "a.pgm" }), scaled(pattern(255), 255));
  // maxval 1: a bitmap as grey
  const bits = pattern(1);
  assertEquals(decodePgm(p2(bits, 1), { name: "a.pgm" }), scaled(bits, 1));
});

Deno.test("decodePgm(): P2 and P5 of the same pixels decode equal, for any maxval 1..65535", () => {
  const image = fc.integer({ min: 1, max: 65_535 }).chain((maxval) =>
    fc.tuple(
      fc.constant(maxval),
      fc.array(fc.integer({ min: 0, max: maxval }), { minLength: PIXELS, maxLength: PIXELS }),
    )
  );
  fc.assert(
    fc.property(image, ([maxval, samples]) => {
      const plain = decodePgm(p2(samples, maxval), { name: "a.pgm" });
      assertEquals(decodePgm(p5(samples, maxval), { name: "a.pgm" }), plain);
      assertEquals(plain, scaled(samples, maxval));
    }),
    { numRuns: 100, seed: 61 },
  );
});

Deno.test("decodePgm(): any 28x28 byte array round-trips through P5 to value / 255", () => {
  const bytes = fc.uint8Array({ minLength: PIXELS, maxLength: PIXELS });
  fc.assert(
    fc.property(bytes, (raster) => {
      const x = decodePgm(concat(ascii(`P5\n${SIDE} ${SIDE}\n255\n`), raster), { name: "a.pgm" });
      assertEquals(x, Float32Array.from(raster, (b) => b / 255));
      assert(x.every((v) => v >= 0 && v <= 1));
    }),
    { numRuns: 200, seed: 62 },
  );
});

Deno.test("decodePgm() names every bad input in one line: TypeError for the format, RangeError for sizes and values", () => {
  const zeros = new Array(PIXELS).fill(0);
  const cases: [Uint8Array, new (...args: never[]) => Error, string][] = [
    [ascii("P6\n28 28\n255\n"), TypeError, "x.pgm: a P6 Netpbm file is not a grey map: only PGM P2 and P5 are read"],
    [ascii("GIF89a"), TypeError, 'x.pgm: not a PGM file: it must start with P2 or P5, got "GI"'],
    [ascii("P528 28 255\n"), TypeError, 'x.pgm: bad PGM header: white space must follow P5, got "2"'],
    [ascii("P5\n28 x 255\n"), TypeError, 'x.pgm: bad PGM header: height must be a positive integer, got "x"'],
    [
      ascii("P5\n28 28\n"),
      TypeError,
      "x.pgm: bad PGM header: maxval must be a positive integer, got the end of the file",
    ],
    [ascii("P2\n28 -1 255\n"), TypeError, 'x.pgm: bad PGM header: height must be a positive integer, got "-1"'],
    [p5(zeros, 255, "P5\n32 28\n255\n"), RangeError, "x.pgm: PGM image must be 28x28, got 32x28"],
    [p5(zeros, 255, "P5\n28 28\n0\n"), RangeError, "x.pgm: PGM maxval must be in 1..65535, got 0"],
    [p5(zeros, 255, "P5\n28 28\n65536\n"), RangeError, "x.pgm: PGM maxval must be in 1..65535, got 65536"],
    [
      p5(zeros.slice(1), 255),
      RangeError,
      "x.pgm: PGM P5 raster must hold 784 bytes (28x28 samples of 1 byte), got 783",
    ],
    [
      concat(p5(zeros, 255), ascii("\n")),
      RangeError,
      "x.pgm: PGM P5 raster must hold 784 bytes (28x28 samples of 1 byte), got 785",
    ],
    [
      p5(zeros, 255, "P5\n28 28\n300\n"),
      RangeError,
      "x.pgm: PGM P5 raster must hold 1568 bytes (28x28 samples of 2 bytes), got 784",
    ],
    [
      p5(zeros.map((_, i) => (i === 33 ? 201 : 0)), 200),
      RangeError,
      "x.pgm: PGM sample 201 at row 1, column 5 exceeds maxval 200",
    ],
    [p2(zeros.slice(1), 255), RangeError, "x.pgm: PGM P2 raster must hold 784 samples (28x28), got 783"],
    [
      ascii(`P2 28 28 255\n${[...zeros, 0].join(" ")}\n`),
      RangeError,
      "x.pgm: PGM P2 raster must hold 784 samples (28x28), got 785",
    ],
    [
      p2(zeros.map((_, i) => (i === 3 ? "0.5" : 0)) as number[], 255),
      TypeError,
      'x.pgm: PGM P2 sample 3 is not a non-negative integer: "0.5"',
    ],
    [
      p2(zeros.map((_, i) => (i === 7 ? 256 : 0)), 255),
      RangeError,
      "x.pgm: PGM sample 256 at row 0, column 7 exceeds maxval 255",
    ],
  ];
  for (const [bytes, cls, message] of cases) {
    assertEquals(error(() => decodePgm(bytes, { name: "x.pgm" }), cls), message);
  }
});

// --- PNG -------------------------------------------------------------------------------------

type PngImage = Omit<ImageData, "width" | "height">;
const png = (image: PngImage, options?: Parameters<typeof encode>[1]) =>
  encode({ width: SIDE, height: SIDE, ...image }, options);

/** Packs samples of `depth` < 8 bits per row from the high bit, each row padded to whole bytes (PNG spec 7.2). */
function pack(samples: number[], depth: number): Uint8Array {
  const rows = Array.from({ length: SIDE }, (_, y) => {
    const bits = samples.slice(y * SIDE, (y + 1) * SIDE).map((s) => s.toString(2).padStart(depth, "0")).join("");
    return bits.padEnd(Math.ceil(bits.length / 8) * 8, "0");
  }).join("");
  return Uint8Array.from({ length: rows.length / 8 }, (_, i) => parseInt(rows.slice(8 * i, 8 * i + 8), 2));
}

/** CRC-32 as PNG computes it (PNG spec, annex D). */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** A PNG with one more chunk right after IHDR (whose chunk ends at byte 33). */
function withChunk(file: Uint8Array, type: string, data: Uint8Array): Uint8Array {
  const body = concat(ascii(type), data);
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  chunk.set(body, 4);
  view.setUint32(8 + data.length, crc32(body));
  return concat(file.subarray(0, 33), chunk, file.subarray(33));
}

const u16 = (...xs: number[]) => {
  const out = new Uint8Array(2 * xs.length);
  xs.forEach((x, i) => out.set([x >> 8, x & 0xff], 2 * i));
  return out;
};

Deno.test("decodePng() reads 8- and 16-bit grey as sample / (2^depth - 1)", () => {
  const grey = pattern(255);
  assertEquals(
    decodePng(png({ data: Uint8Array.from(grey), channels: 1, depth: 8 }), { name: "g.png" }),
    scaled(grey, 255),
  );
  const wide = grey.map((s) => s * 257 - (s > 0 ? 1 : 0));
  const x = decodePng(png({ data: Uint16Array.from(wide), channels: 1, depth: 16 }), { name: "g.png" });
  assertEquals(x, scaled(wide, 65_535));
});

Deno.test("decodePng() reads 1-, 2- and 4-bit grey from packed rows", () => {
  for (const depth of [1, 2, 4]) {
    const max = 2 ** depth - 1;
    const samples = pattern(max);
    const x = decodePng(png({ data: pack(samples, depth), channels: 1, depth: depth as 1 | 2 | 4 }), { name: "g.png" });
    assertEquals(x, scaled(samples, max), `depth ${depth}`);
  }
});

Deno.test("decodePng() turns RGB into ITU-R BT.601 luma, and R = G = B into that grey exactly", () => {
  const rgb = new Uint8Array(3 * PIXELS);
  rgb.set([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 10, 20, 30], 0);
  const x = decodePng(png({ data: rgb, channels: 3, depth: 8 }), { name: "c.png" });
  assertEquals(
    [...x.subarray(0, 6)],
    [0.299, 0.587, 0.114, 1, (0.299 * 10 + 0.587 * 20 + 0.114 * 30) / 255, 0].map(Math.fround),
  );
  fc.assert(
    fc.property(fc.uint8Array({ minLength: PIXELS, maxLength: PIXELS }), fc.boolean(), (grey, wide) => {
      const samples = wide ? Uint16Array.from(grey, (g) => g * 257) : grey;
      const triple = wide ? new Uint16Array(3 * PIXELS) : new Uint8Array(3 * PIXELS);
      samples.forEach((g, i) => triple.set([g, g, g], 3 * i));
      const depth = wide ? 16 : 8;
      const asGrey = decodePng(png({ data: samples, channels: 1, depth }), { name: "g.png" });
      assertEquals(decodePng(png({ data: triple, channels: 3, depth }), { name: "c.png" }), asGrey);
      assertEquals(asGrey, Float32Array.from(grey, (g) => g / 255));
    }),
    { numRuns: 30, seed: 63 },
  );
});

Deno.test("decodePng() composites grey+alpha and RGBA over black, or over white when asked", () => {
  const ga = new Uint8Array(2 * PIXELS);
  ga.set([255, 255, 255, 0, 255, 51, 0, 0, 0, 255], 0); // opaque white, transparent white, 20 % white, clear black, opaque black
  const file = png({ data: ga, channels: 2, depth: 8 });
  assertEquals([...decodePng(file, { name: "a.png" }).subarray(0, 5)], [1, 0, 0.2, 0, 0].map(Math.fround));
  assertEquals([...decodePng(file, { name: "a.png", background: "white" }).subarray(0, 5)], [1, 1, 1, 1, 0]);
  const rgba = new Uint16Array(4 * PIXELS);
  rgba.set([65_535, 0, 0, 65_535, 0, 65_535, 0, 0], 0); // opaque red, transparent green
  const wide = png({ data: rgba, channels: 4, depth: 16 });
  assertEquals([...decodePng(wide, { name: "a.png" }).subarray(0, 2)], [Math.fround(0.299), 0]);
  assertEquals([...decodePng(wide, { name: "a.png", background: "white" }).subarray(0, 2)], [Math.fround(0.299), 1]);
});

Deno.test("decodePng() reads palettes of 1..8 bits, with and without alpha (tRNS)", () => {
  const opaque = [[0, 0, 0], [255, 255, 255], [255, 0, 0], [51, 51, 51]];
  const want = [0, 1, 0.299, 0.2];
  for (const depth of [2, 4, 8] as const) {
    const indices = pattern(3);
    const data = depth === 8 ? Uint8Array.from(indices) : pack(indices, depth);
    const x = decodePng(png({ data, channels: 1, depth, palette: opaque }), { name: "p.png" });
    assertEquals(x, Float32Array.from(indices, (i) => want[i]), `depth ${depth}`);
  }
  // fast-png writes tRNS for the entries whose alpha is not 255, so those come first
  const alpha = [[255, 255, 255, 0], [255, 255, 255, 51], [255, 255, 255, 255]];
  const file = png({ data: pack(pattern(1), 1), channels: 1, depth: 1, palette: alpha });
  const onBlack = decodePng(file, { name: "p.png" });
  assertEquals(onBlack, Float32Array.from(pattern(1), (i) => [0, 0.2][i]));
  assertEquals(decodePng(file, { name: "p.png", background: "white" }), new Float32Array(PIXELS).fill(1));
});

Deno.test("decodePng() honours a tRNS colour key of grey and RGB images", () => {
  const grey = png({ data: Uint8Array.from(pattern(255)), channels: 1, depth: 8 });
  const keyed = withChunk(grey, "tRNS", u16(pattern(255)[5]));
  const want = scaled(pattern(255), 255).map((v, i) => (pattern(255)[i] === pattern(255)[5] ? 1 : v));
  assertEquals(decodePng(keyed, { name: "k.png", background: "white" }), want);
  const rgb = new Uint8Array(3 * PIXELS).fill(200);
  rgb.set([1, 2, 3], 3 * 10);
  const file = withChunk(png({ data: rgb, channels: 3, depth: 8 }), "tRNS", u16(1, 2, 3));
  const x = decodePng(file, { name: "k.png" });
  assertEquals([x[9], x[10], x[11]], [Math.fround(200 / 255), 0, Math.fround(200 / 255)]);
});

Deno.test("decodePng() reads Adam7-interlaced images as their plain twins", () => {
  for (const [channels, depth] of [[1, 8], [2, 8], [3, 16], [4, 8]] as const) {
    const n = channels * PIXELS;
    const data = depth === 16
      ? Uint16Array.from({ length: n }, (_, i) => (i * 4099) % 65_536)
      : Uint8Array.from({ length: n }, (_, i) => (i * 37) % 256);
    const plain = decodePng(png({ data, channels, depth }), { name: "i.png" });
    assertEquals(decodePng(png({ data, channels, depth }, { interlace: "Adam7" }), { name: "i.png" }), plain);
  }
});

Deno.test("decodePng() names every bad input in one line", () => {
  const good = png({ data: new Uint8Array(PIXELS), channels: 1, depth: 8 });
  const badCrc = good.slice();
  badCrc[good.length - 20] ^= 0xff; // inside IDAT
  const cases: [Uint8Array, new (...args: never[]) => Error, string][] = [
    [ascii("P5 28 28 255\n"), TypeError, "x.png: not a PNG file: it does not start with the PNG signature"],
    [good.subarray(0, 20), TypeError, "x.png: cannot decode PNG: its first chunk must be IHDR"],
    [
      encode({ width: 27, height: 28, data: new Uint8Array(27 * 28), channels: 1, depth: 8 }),
      RangeError,
      "x.png: PNG image must be 28x28, got 27x28",
    ],
    [badCrc, TypeError, "x.png: cannot decode PNG: CRC mismatch for chunk IDAT. Expected 1457135208, found 2296322201"],
    [good.subarray(0, good.length - 12), TypeError, "x.png: cannot decode PNG: the file ends before its IEND chunk"],
    [good.subarray(0, 40), TypeError, "x.png: cannot decode PNG: the file ends before its IEND chunk"],
    [
      png({ data: new Uint8Array(PIXELS).fill(2), channels: 1, depth: 8, palette: [[0, 0, 0], [9, 9, 9]] }),
      RangeError,
      "x.png: PNG palette index 2 at row 0, column 0 is past the palette's 2 entries",
    ],
  ];
  for (const [bytes, cls, message] of cases) {
    assertEquals(error(() => decodePng(bytes, { name: "x.png" }), cls), message);
  }
});

// --- CSV -------------------------------------------------------------------------------------

const csvRow = (values: (number | string)[]) => values.join(",");

Deno.test("decodeCsv() reads a row of 784 values in [0, 1], or 0..255 divided by 255", () => {
  const bytes = pattern(255);
  const [a] = decodeCsv(csvRow(bytes.map((b) => b / 255)), { name: "a.csv" });
  assertEquals([a.row, a.line, a.label], [0, 1, undefined]);
  assertEquals(a.pixels, scaled(bytes, 255));
  const [b] = decodeCsv(csvRow(bytes) + "\n", { name: "a.csv", range: "0..255" });
  assertEquals(b.pixels, scaled(bytes, 255));
  assertEquals(
    decodeCsv(csvRow(bytes.map((v) => ` ${v}.0e0 `)), { name: "a.csv", range: "0..255" })[0].pixels,
    b.pixels,
  );
});

Deno.test("decodeCsv() takes the first of 785 values as the label, skips a header and blank lines, and counts rows from 0", () => {
  const header = csvRow(["label", ...Array.from({ length: PIXELS }, (_, i) => `pixel${i}`)]);
  const rows = [3, 1, 4].map((d) => csvRow([d, ...new Array(PIXELS).fill(d / 10)]));
  const text = `${header}\r\n${rows[0]}\r\n\r\n${rows[1]}\n  \n${rows[2]}`;
  const [second] = decodeCsv(text, { name: "l.csv", row: 1 });
  assertEquals([second.row, second.line, second.label, second.pixels[0]], [1, 4, 1, Math.fround(0.1)]);
  const all = decodeCsv(text, { name: "l.csv", row: "all" });
  assertEquals(all.map((r) => [r.row, r.line, r.label]), [[0, 2, 3], [1, 4, 1], [2, 6, 4]]);
  // without a header, the first line is row 0
  assertEquals(decodeCsv(rows.join("\n"), { name: "l.csv" })[0].label, 3);
});

Deno.test("decodeCsv() names every bad input in one line with its line and column", () => {
  const zeros = new Array(PIXELS).fill(0);
  const at = (i: number, v: string | number) => csvRow(zeros.map((z, k) => (k === i ? v : z)));
  const cases: [string, object, new (...args: never[]) => Error, string][] = [
    ["", {}, RangeError, "x.csv: holds no rows"],
    ["\n\n", {}, RangeError, "x.csv: holds no rows"],
    ["label,pixel0\n", {}, RangeError, "x.csv: holds a header but no rows"],
    [
      `${csvRow(zeros)}\n${csvRow(zeros)}\n`,
      { row: 2 },
      RangeError,
      "x.csv: has no row 2: it holds 2 rows, numbered from 0",
    ],
    [
      csvRow(zeros.slice(1)),
      {},
      RangeError,
      "x.csv line 1: a row must hold 784 values, or 785 with a leading label, got 783",
    ],
    [
      csvRow([...zeros, 0, 0]),
      {},
      RangeError,
      "x.csv line 1: a row must hold 784 values, or 785 with a leading label, got 786",
    ],
    [at(9, "abc"), {}, TypeError, 'x.csv line 1, column 10: "abc" is not a number'],
    [at(9, ""), {}, TypeError, 'x.csv line 1, column 10: "" is not a number'],
    [at(0, "0x10"), {}, TypeError, 'x.csv line 1, column 1: "0x10" is not a number'],
    [at(0, "NaN"), {}, TypeError, 'x.csv line 1, column 1: "NaN" is not a number'],
    [at(783, "1.5"), {}, RangeError, "x.csv line 1, column 784: 1.5 is outside 0..1"],
    [at(0, "-0.01"), {}, RangeError, "x.csv line 1, column 1: -0.01 is outside 0..1"],
    [at(5, "256"), { range: "0..255" }, RangeError, "x.csv line 1, column 6: 256 is outside 0..255"],
    [csvRow(["seven", ...zeros]), {}, TypeError, 'x.csv line 1, column 1: label "seven" is not a number'],
    [csvRow([10, ...zeros]), {}, RangeError, "x.csv line 1, column 1: label 10 must be an integer 0..9"],
    [csvRow([2.5, ...zeros]), {}, RangeError, "x.csv line 1, column 1: label 2.5 must be an integer 0..9"],
    [`\n${csvRow(zeros)}\n${at(2, "x")}`, { row: 1 }, TypeError, 'x.csv line 3, column 3: "x" is not a number'],
  ];
  for (const [text, options, cls, message] of cases) {
    assertEquals(error(() => decodeCsv(text, { name: "x.csv", ...options }), cls), message, message);
  }
});

// --- the file, format detection, inversion, options --------------------------------------------

Deno.test("detectImageFormat() tells PNG, PGM and CSV by their first bytes, and refuses a .png or .pgm that is not one", () => {
  const pngFile = png({ data: new Uint8Array(PIXELS), channels: 1, depth: 8 });
  assertEquals(detectImageFormat(pngFile, "-"), "png");
  assertEquals(detectImageFormat(pngFile, "digit.PNG"), "png");
  assertEquals(detectImageFormat(ascii("P5\n"), "digit.pgm"), "pgm");
  assertEquals(detectImageFormat(ascii("P6\n"), "digit"), "pgm");
  assertEquals(detectImageFormat(ascii("0.5,1"), "digit.txt"), "csv");
  assertEquals(
    error(() => detectImageFormat(ascii("P5\n"), "d.png"), TypeError),
    "d.png: not a PNG file: it does not start with the PNG signature",
  );
  assertEquals(
    error(() => detectImageFormat(pngFile, "d.pgm"), TypeError),
    'd.pgm: not a PGM file: it must start with P2 or P5, got "\\x89P"',
  );
});

Deno.test("decodeImageFile() inverts every format, and a transparent PNG pixel ends up black either way", () => {
  const samples = pattern(255);
  const want = scaled(samples, 255);
  const inverted = want.map((v) => 1 - v);
  const ga = new Uint8Array(2 * PIXELS);
  samples.forEach((s, i) => ga.set([s, 255], 2 * i));
  ga[1] = 0; // pixel 0 transparent
  const pngWant = want.map((v, i) => (i === 0 ? 0 : v));
  const files: [string, Uint8Array, Float32Array][] = [
    ["d.pgm", p5(samples, 255), want],
    ["d.png", png({ data: ga, channels: 2, depth: 8 }), pngWant],
    ["d.csv", ascii(csvRow(samples) + "\n"), want],
  ];
  for (const [name, bytes, plain] of files) {
    const options = { name, csvRange: "0..255" as const };
    const [a] = decodeImageFile(bytes, options);
    assertEquals(a.pixels, plain, name);
    const [b] = decodeImageFile(bytes, { ...options, invert: true });
    assertEquals(b.pixels, name === "d.png" ? inverted.map((v, i) => (i === 0 ? 0 : v)) : inverted, name);
    assertEquals(a.source, name === "d.csv" ? "d.csv row 0" : name);
  }
});

Deno.test("invertImage() returns 1 - value in a new array and leaves its input alone", () => {
  const x = Float32Array.of(0, 0.5, 1);
  assertEquals([...invertImage(x)], [1, 0.5, 0]);
  assertEquals([...x], [0, 0.5, 1]);
});

Deno.test("the decoders reject an unknown option loudly", () => {
  const pgm = p5(new Array(PIXELS).fill(0), 255);
  const bad = { name: "x", colour: true } as unknown as { name: string };
  assertEquals(error(() => decodePgm(pgm, bad), TypeError), 'Unknown PGM decode option "colour"');
  assertEquals(error(() => decodePng(pgm, bad), TypeError), 'Unknown PNG decode option "colour"');
  assertEquals(error(() => decodeCsv("", bad), TypeError), 'Unknown CSV decode option "colour"');
  assertEquals(error(() => decodeImageFile(pgm, bad), TypeError), 'Unknown image decode option "colour"');
});
