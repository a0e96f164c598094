/**
 * Types of `mnist_prep.js` (plain JavaScript, so that the draw-a-digit page can import it as it
 * is); Deno's type checker reads these. Keep them in step with `mnist_prep.js`.
 * @module
 */

/** MNIST's preparation: the field's side and the box the digit is scaled into, in pixels. */
export declare const MNIST_PREP: Readonly<{ field: 28; box: 20 }>;

/** An image as rows of values: a canvas's `ImageData` (RGBA bytes) or a grey image (ink in [0, 1]). */
export interface PixelImage {
  /** Columns. */
  width: number;
  /** Rows. */
  height: number;
  /** Row-major values. */
  data: ArrayLike<number>;
}

/** A grey image: ink in [0, 1], row-major, float32. */
export interface GreyImage {
  /** Columns. */
  width: number;
  /** Rows. */
  height: number;
  /** Ink, `[height * width]`. */
  data: Float32Array;
}

/** Options of {@link prepareDigit}. */
export interface PrepOptions {
  /** The output's side (default 28). */
  field?: number;
  /** The side of the box the ink's bounding box is scaled to fit (default 20, at most `field`). */
  box?: number;
}

/**
 * Reads a canvas's pixels (a white digit on black) as ink: the mean of red, green and blue,
 * times alpha, scaled to [0, 1].
 *
 * @param image RGBA bytes, `[height * width * 4]`.
 * @returns The ink.
 * @throws {RangeError} A size that is not a positive integer, or data of another length.
 */
export declare function inkFromRgba(image: PixelImage): GreyImage;

/**
 * Prepares a drawing as MNIST's digits were: the ink's bounding box scaled to fit `box` x `box`
 * pixels keeping its aspect ratio, anti-aliased, then shifted in a `field` x `field` grid so that
 * its centre of mass sits within half a pixel of index `floor(field / 2)` (unless that would push
 * ink off the field).
 *
 * @param image Ink in [0, 1], row-major; not changed.
 * @param options The field's side and the box's.
 * @returns `field * field` grey values in [0, 1], row-major, or null when the image holds no ink.
 * @throws {RangeError} A bad size, data of another length, a value outside [0, 1], a box larger
 *   than the field.
 * @throws {TypeError} An unknown option.
 */
export declare function prepareDigit(image: PixelImage, options?: PrepOptions): Float32Array | null;

/**
 * Reads typed grey values: numbers in [0, 1] separated by commas or white space, optionally
 * inside one pair of square brackets.
 *
 * @param text The text.
 * @param options How many values an image has.
 * @returns The values.
 * @throws {RangeError} The wrong count, or the first bad value, named with its position.
 */
export declare function parseGreyValues(text: string, options: { count: number }): Float32Array;
