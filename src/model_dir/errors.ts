/**
 * The one error a model directory's reader and writer throw.
 * @module
 */

/**
 * A model or study directory, or one of its files, is missing, unreadable, malformed or
 * inconsistent. The message names the file and, when one is at fault, the field.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * const e = new ModelDirError("m/metrics.json", "must be an object", { field: "config" });
 * assertEquals(e.message, 'm/metrics.json: field "config" must be an object');
 * ```
 */
export class ModelDirError extends Error {
  override name = "ModelDirError";
  /** The file or directory at fault. */
  readonly file: string;
  /** The field at fault, as a dotted path (`validation.confusion.tp`); absent for a whole file. */
  readonly field?: string;

  /**
   * @param file The file or directory at fault.
   * @param problem What is wrong, as the end of a sentence.
   * @param options The field at fault and the underlying error.
   */
  constructor(file: string, problem: string, options: { field?: string; cause?: unknown } = {}) {
    super(
      options.field === undefined ? `${file}: ${problem}` : `${file}: field "${options.field}" ${problem}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.file = file;
    this.field = options.field;
  }
}
