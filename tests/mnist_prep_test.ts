/**
 * The draw-a-digit page's preprocessing (src/web/mnist_prep.js): a drawing becomes 784 grey values
 * prepared as MNIST's digits were. Properties run on drawings rasterised here: anti-aliased thick
 * strokes, like the page's pen.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import fc from "fast-check";
import { inkFromRgba, MNIST_PREP, parseGreyValues, prepareDigit } from "../src/web/mnist_prep.js";
import { loadMnist } from "../src/mnist/data.ts";
import { H61 } from "../src/mnist/spec.ts";

const FIELD = MNIST_PREP.field;
const CENTRE = FIELD / 2;

/** A grey image: ink in [0, 1], row-major. */
interface Grey {
  width: number;
  height: number;
  data: Float32Array;
}

/** Strokes through `points` with a round pen of `radius` pixels. */
interface Drawing {
  width: number;
  height: number;
  radius: number;
  points: [number, number][];
}

/** Distance from p to the segment a–b. */
function segmentDistance(p: [number, number], a: [number, number], b: [number, number]): number {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2));
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

/** Rasterises a drawing scaled by `k`: each pixel's ink is the share of its 4x4 subsamples under the pen. */
function rasterise(d: Drawing, k = 1): Grey {
  const width = Math.round(d.width * k);
  const height = Math.round(d.height * k);
  const points = d.points.map(([x, y]) => [x * k, y * k] as [number, number]);
  const segments = points.length === 1 ? [[points[0], points[0]]] : points.slice(1).map((p, i) => [points[i], p]);
  const radius = d.radius * k;
  const distance = (p: [number, number]) => Math.min(...segments.map(([a, b]) => segmentDistance(p, a, b)));
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const centre = distance([x + 0.5, y + 0.5]);
      if (centre > radius + 0.75) continue; // every subsample is outside (a pixel's corner is 0.71 away)
      if (centre < radius - 0.75) {
        data[y * width + x] = 1;
        continue;
      }
      let inside = 0;
      for (let j = 0; j < 4; j++) {
        for (let i = 0; i < 4; i++) if (distance([x + (i + 0.5) / 4, y + (j + 0.5) / 4]) <= radius) inside++;
      }
      data[y * width + x] = inside / 16;
    }
  }
  return { width, height, data };
}

/** Drawings of one to five points, the pen kept inside the canvas. */
const drawings: fc.Arbitrary<Drawing> = fc.record({
  width: fc.integer({ min: 24, max: 64 }),
  height: fc.integer({ min: 24, max: 64 }),
  radius: fc.double({ min: 1, max: 4, noNaN: true }),
  points: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), {
    minLength: 1,
    maxLength: 5,
  }),
}).map(({ width, height, radius, points }) => ({
  width,
  height,
  radius,
  points: points.map(([u, v]) => [radius + u * (width - 2 * radius), radius + v * (height - 2 * radius)]),
}));

/** Nearest-neighbour upscaling by a whole factor: each pixel becomes a k x k block. */
function upscale(image: Grey, k: number): Grey {
  const width = image.width * k;
  const data = new Float32Array(width * image.height * k);
  for (let y = 0; y < image.height * k; y++) {
    for (let x = 0; x < width; x++) {
      data[y * width + x] = image.data[Math.floor(y / k) * image.width + Math.floor(x / k)];
    }
  }
  return { width, height: image.height * k, data };
}

/** The image inside a larger black canvas, its top-left corner at (left, top). */
function pad(image: Grey, options: { left: number; top: number; right: number; bottom: number }): Grey {
  const width = options.left + image.width + options.right;
  const height = options.top + image.height + options.bottom;
  const data = new Float32Array(width * height);
  for (let y = 0; y < image.height; y++) {
    data.set(image.data.subarray(y * image.width, (y + 1) * image.width), (y + options.top) * width + options.left);
  }
  return { width, height, data };
}

/** Centre of mass of a field, in pixel indices (column x, row y), computed here independently. */
function centreOfMass(pixels: Float32Array): { x: number; y: number; mass: number } {
  let mass = 0;
  let sx = 0;
  let sy = 0;
  pixels.forEach((v, i) => {
    mass += v;
    sx += v * (i % FIELD);
    sy += v * Math.floor(i / FIELD);
  });
  return { x: sx / mass, y: sy / mass, mass };
}

/** Columns and rows of a field that hold ink. */
function inkExtent(pixels: Float32Array): { x0: number; x1: number; y0: number; y1: number } {
  const out = { x0: FIELD, x1: -1, y0: FIELD, y1: -1 };
  pixels.forEach((v, i) => {
    if (v > 0) {
      const [x, y] = [i % FIELD, Math.floor(i / FIELD)];
      Object.assign(out, {
        x0: Math.min(out.x0, x),
        x1: Math.max(out.x1, x),
        y0: Math.min(out.y0, y),
        y1: Math.max(out.y1, y),
      });
    }
  });
  return out;
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

Deno.test("MNIST_PREP is MNIST's 20-pixel box inside H6.1's 28x28 field", () => {
  assertEquals(MNIST_PREP, { field: H61.imageSide, box: 20 });
  assertEquals(MNIST_PREP.field ** 2, H61.pixels);
  assert(Object.isFrozen(MNIST_PREP));
});

Deno.test("prepareDigit() returns 784 grey values in [0, 1] for any drawing", () => {
  fc.assert(
    fc.property(drawings, (d) => {
      const out = prepareDigit(rasterise(d))!;
      assert(out instanceof Float32Array);
      assertEquals(out.length, H61.pixels);
      assert(out.every((v) => v >= 0 && v <= 1), "every value in [0, 1]");
      assert(out.some((v) => v > 0), "a drawing leaves ink");
    }),
    { seed: 61, numRuns: 150 },
  );
});

Deno.test("prepareDigit() returns 784 grey values in [0, 1] for any grey image, however sparse or full", () => {
  const images = fc.record({ width: fc.integer({ min: 1, max: 40 }), height: fc.integer({ min: 1, max: 40 }) }).chain((
    { width, height },
  ) =>
    fc.array(fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })), {
      minLength: width * height,
      maxLength: width * height,
    }).map((values) => ({ width, height, data: Float32Array.from(values) }))
  );
  fc.assert(
    fc.property(images, (image) => {
      const out = prepareDigit(image);
      if (image.data.every((v) => v === 0)) return assertEquals(out, null);
      assertEquals(out!.length, H61.pixels);
      assert(out!.every((v) => v >= 0 && v <= 1), "every value in [0, 1]");
    }),
    { seed: 62, numRuns: 300 },
  );
});

Deno.test("prepareDigit() returns null, the page's 'draw a digit' state, for an empty canvas of any size", () => {
  for (const [width, height] of [[1, 1], [28, 28], [280, 280], [3, 500]]) {
    assertEquals(prepareDigit({ width, height, data: new Float32Array(width * height) }), null);
  }
});

Deno.test("prepareDigit() scales the ink's bounding box to 20 pixels on its longer side, keeping its aspect ratio", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 120 }), (w, h) => {
      const block = pad({ width: w, height: h, data: new Float32Array(w * h).fill(1) }, {
        left: 3,
        top: 5,
        right: 7,
        bottom: 2,
      });
      const e = inkExtent(prepareDigit(block)!);
      const long = Math.max(w, h);
      assertEquals([e.x1 - e.x0 + 1, e.y1 - e.y0 + 1], [
        Math.max(1, Math.round((20 * w) / long)),
        Math.max(1, Math.round((20 * h) / long)),
      ]);
    }),
    { seed: 63, numRuns: 300 },
  );
});

Deno.test("prepareDigit() puts the centre of mass within half a pixel of (14, 14), unless that would push ink off the field", () => {
  let centred = 0;
  fc.assert(
    fc.property(drawings, (d) => {
      const out = prepareDigit(rasterise(d))!;
      const c = centreOfMass(out);
      const e = inkExtent(out);
      const xOk = Math.abs(c.x - CENTRE) <= 0.5 + 1e-6;
      const yOk = Math.abs(c.y - CENTRE) <= 0.5 + 1e-6;
      assert(
        xOk || e.x0 === 0 || e.x1 === FIELD - 1,
        `column ${c.x} is off centre, yet the ink spans ${e.x0}..${e.x1}`,
      );
      assert(yOk || e.y0 === 0 || e.y1 === FIELD - 1, `row ${c.y} is off centre, yet the ink spans ${e.y0}..${e.y1}`);
      if (xOk && yOk) centred++;
    }),
    { seed: 64, numRuns: 200 },
  );
  assert(centred >= 150, `only ${centred} of 200 drawings centred: the exception must stay an exception`);
});

Deno.test("prepareDigit() keeps all the ink, in one piece: the total is the drawing's times the area scale", () => {
  fc.assert(
    fc.property(drawings, (d) => {
      const image = rasterise(d);
      const out = prepareDigit(image)!;
      const e = (() => {
        let [x0, x1, y0, y1] = [image.width, -1, image.height, -1];
        image.data.forEach((v, i) => {
          if (v > 0) {
            const [x, y] = [i % image.width, Math.floor(i / image.width)];
            [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
          }
        });
        return { w: x1 - x0 + 1, h: y1 - y0 + 1 };
      })();
      const long = Math.max(e.w, e.h);
      const [tw, th] = [Math.max(1, Math.round((20 * e.w) / long)), Math.max(1, Math.round((20 * e.h) / long))];
      const expected = (image.data.reduce((s, v) => s + v, 0) * tw * th) / (e.w * e.h);
      const total = out.reduce((s, v) => s + v, 0);
      assert(Math.abs(total - expected) <= 1e-4 * expected, `total ${total}, expected ${expected}`);
      const placed = inkExtent(out);
      assertEquals(
        [placed.x1 - placed.x0 + 1, placed.y1 - placed.y0 + 1],
        [tw, th],
        "the scaled box, not cut or wrapped",
      );
    }),
    { seed: 65, numRuns: 150 },
  );
});

Deno.test("prepareDigit() keeps a digit whose mass sits far from its middle whole, against the field's edge", () => {
  // faint lines along the top and the left, a heavy block at the bottom right: centring the mass
  // (at 15.8, 15.8 of the 20-pixel box) would push the lines off the top-left corner, where MNIST cuts them
  const side = 100;
  const data = new Float32Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) data[y * side + x] = x >= 70 && y >= 70 ? 1 : x === 0 || y === 0 ? 0.5 : 0;
  }
  const out = prepareDigit({ width: side, height: side, data })!;
  assertEquals(inkExtent(out), { x0: 0, x1: 19, y0: 0, y1: 19 });
  const c = centreOfMass(out);
  assert(c.x > CENTRE + 0.5 && c.y > CENTRE + 0.5, `centre ${[c.x, c.y]}: the mass stays where it is`);
  const total = data.reduce((s, v) => s + v, 0) * (20 / side) ** 2;
  assert(Math.abs(c.mass - total) <= 1e-4 * total, `total ${c.mass}, expected ${total}`);
});

Deno.test("prepareDigit() ignores where on the canvas the digit is drawn", () => {
  const offsets = fc.record({
    left: fc.integer({ min: 0, max: 60 }),
    top: fc.integer({ min: 0, max: 60 }),
    right: fc.integer({ min: 0, max: 60 }),
    bottom: fc.integer({ min: 0, max: 60 }),
  });
  fc.assert(
    fc.property(drawings, offsets, offsets, (d, a, b) => {
      const image = rasterise(d);
      assertEquals(prepareDigit(pad(image, a)), prepareDigit(pad(image, b)));
    }),
    { seed: 66, numRuns: 100 },
  );
});

Deno.test("prepareDigit() gives the same field for a drawing and for it scaled up by a whole factor", () => {
  fc.assert(
    fc.property(drawings, fc.integer({ min: 2, max: 5 }), (d, k) => {
      const image = rasterise(d);
      const diff = maxAbsDiff(prepareDigit(image)!, prepareDigit(upscale(image, k))!);
      assert(diff <= 1e-6, `max |difference| ${diff} at x${k}`);
    }),
    { seed: 67, numRuns: 100 },
  );
});

Deno.test("prepareDigit() puts the same strokes drawn at another size in the same place: edges within 2 pixels, centre within 1 per axis", () => {
  // Each field's centre lies within half a pixel of 14 on each axis, hence 1 between two fields; an
  // edge may move by that pixel and by one more where the scaled box's size rounds the other way.
  // (Whole-factor upscaling, which adds no new detail, changes nothing: the test above.)
  fc.assert(
    fc.property(drawings, fc.double({ min: 1.5, max: 4, noNaN: true }), (d, k) => {
      const [a, b] = [prepareDigit(rasterise(d, 2))!, prepareDigit(rasterise(d, 2 * k))!];
      const [ea, eb] = [inkExtent(a), inkExtent(b)];
      const [ca, cb] = [centreOfMass(a), centreOfMass(b)];
      const edges = [ea.x0 - eb.x0, ea.x1 - eb.x1, ea.y0 - eb.y0, ea.y1 - eb.y1].map(Math.abs);
      assert(Math.max(...edges) <= 2, `edges moved by [${edges}] at x${k}`);
      assert(
        Math.abs(ca.x - cb.x) <= 1 + 1e-6 && Math.abs(ca.y - cb.y) <= 1 + 1e-6,
        `centres ${[ca.x, ca.y]} and ${[cb.x, cb.y]}`,
      );
    }),
    { seed: 68, numRuns: 150 },
  );
});

Deno.test("prepareDigit() leaves MNIST's own digits as they are: their preparation is a fixed point", async () => {
  const { x, size } = await loadMnist();
  let eligible = 0;
  for (let n = 0; n < size; n++) {
    const image = x.subarray(n * H61.pixels, (n + 1) * H61.pixels);
    const c = centreOfMass(image);
    const e = inkExtent(image);
    const long = Math.max(e.x1 - e.x0 + 1, e.y1 - e.y0 + 1);
    // MNIST rounds the shift to whole pixels, so a centre exactly half a pixel out may have gone either way
    if (long !== 20 || Math.abs(c.x - CENTRE) >= 0.5 || Math.abs(c.y - CENTRE) >= 0.5) continue;
    eligible++;
    const out = prepareDigit({ width: FIELD, height: FIELD, data: image })!;
    assertEquals(maxAbsDiff(out, image), 0, `image ${n}`);
    if (n % 100 === 0) {
      // the page's pad is 280 x 280: the digit drawn at ten times the size
      const big = upscale({ width: FIELD, height: FIELD, data: Float32Array.from(image) }, 10);
      assert(maxAbsDiff(prepareDigit(big)!, image) <= 1e-6, `image ${n} at x10`);
    }
  }
  assert(eligible >= 0.99 * size, `${eligible} of ${size} digits have a 20-pixel box and a centre within 0.5 of 14`);
});

Deno.test("prepareDigit() is deterministic and leaves its input unchanged", () => {
  fc.assert(
    fc.property(drawings, (d) => {
      const image = rasterise(d);
      const copy = Float32Array.from(image.data);
      assertEquals(prepareDigit(image), prepareDigit(image));
      assertEquals(image.data, copy);
    }),
    { seed: 69, numRuns: 50 },
  );
});

Deno.test("prepareDigit() rejects a malformed image or option with one line naming the value", () => {
  const ok = { width: 2, height: 2, data: new Float32Array(4) };
  assertThrows(() => prepareDigit({ ...ok, width: 0 }), RangeError, "Image width must be a positive integer, got 0");
  assertThrows(
    () => prepareDigit({ ...ok, height: 1.5 }),
    RangeError,
    "Image height must be a positive integer, got 1.5",
  );
  assertThrows(
    () => prepareDigit({ ...ok, data: new Float32Array(3) }),
    RangeError,
    "Image data must hold 2 x 2 = 4 values, got 3",
  );
  assertThrows(
    () => prepareDigit({ ...ok, data: Float32Array.of(0, 0, NaN, 0) }),
    RangeError,
    "Image value at column 0, row 1 must be a grey value in [0, 1], got NaN",
  );
  assertThrows(
    () => prepareDigit({ ...ok, data: [0, 2, 0, 0] }),
    RangeError,
    "Image value at column 1, row 0 must be a grey value in [0, 1], got 2",
  );
  assertThrows(
    () => prepareDigit(ok, { field: 28, boxes: 3 } as never),
    TypeError,
    'Unknown prepareDigit option "boxes"',
  );
  assertThrows(() => prepareDigit(ok, { box: 30 }), RangeError, "Option box must be an integer in 1..28, got 30");
  assertThrows(() => prepareDigit(ok, { field: 0 }), RangeError, "Option field must be a positive integer, got 0");
  // another field and box, as the options allow
  assertEquals(
    prepareDigit({ width: 1, height: 1, data: [1] }, { field: 5, box: 3 }),
    Float32Array.from([
      ...[0, 0, 0, 0, 0],
      ...[0, 1, 1, 1, 0],
      ...[0, 1, 1, 1, 0],
      ...[0, 1, 1, 1, 0],
      ...[0, 0, 0, 0, 0],
    ]),
  );
});

Deno.test("inkFromRgba() reads a canvas's white-on-black pixels as ink in [0, 1]", () => {
  const rgba = Uint8ClampedArray.from([
    ...[0, 0, 0, 255], // black
    ...[255, 255, 255, 255], // white
    ...[51, 51, 51, 255], // grey
    ...[255, 255, 255, 0], // transparent
  ]);
  const grey = inkFromRgba({ width: 2, height: 2, data: rgba });
  assertEquals([grey.width, grey.height], [2, 2]);
  assertEquals(Array.from(grey.data), [0, 1, Math.fround(0.2), 0]);
  assertThrows(
    () => inkFromRgba({ width: 2, height: 2, data: new Uint8ClampedArray(12) }),
    RangeError,
    "RGBA data must hold 4 x 2 x 2 = 16 bytes, got 12",
  );
});

Deno.test("parseGreyValues() reads grey values separated by commas or spaces, or as a JSON array", () => {
  const values = [0, 0.5, 1, 0.125];
  const expected = Float32Array.from(values);
  for (const text of [values.join(","), values.join(" "), ` ${values.join(", ")}\n`, JSON.stringify(values)]) {
    assertEquals(parseGreyValues(text, { count: 4 }), expected, text);
  }
  assertThrows(() => parseGreyValues("0,1", { count: 4 }), RangeError, "Expected 4 grey values, got 2");
  assertThrows(() => parseGreyValues("", { count: 4 }), RangeError, "Expected 4 grey values, got 0");
  assertThrows(
    () => parseGreyValues("0,1,2,0", { count: 4 }),
    RangeError,
    'Value 3 must be a grey value in [0, 1], got "2"',
  );
  assertThrows(
    () => parseGreyValues("0,1,,0", { count: 4 }),
    RangeError,
    'Value 3 must be a grey value in [0, 1], got ""',
  );
  assertThrows(
    () => parseGreyValues("0,x,1,0", { count: 4 }),
    RangeError,
    'Value 2 must be a grey value in [0, 1], got "x"',
  );
  assertThrows(() => parseGreyValues("0,0x1,1,0", { count: 4 }), RangeError, 'got "0x1"');
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 50 }), (xs) => {
      assertEquals(parseGreyValues(xs.join(","), { count: xs.length }), Float32Array.from(xs));
    }),
    { seed: 70, numRuns: 200 },
  );
});
