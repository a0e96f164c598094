/**
 * Runs an H6.1 network (a run directory's model.onnx, on onnxruntime-web) on 28x28 images from the shell.
 *
 *   deno task mnist-predict models/tmp-digits/seven.pgm           # a PGM (P2 or P5) or a PNG, 28x28
 *   deno task mnist-predict --model cnn a.png b.pgm               # several files: one batch
 *   deno task mnist-predict --all-rows --csv-range 0..255 - < test.csv   # every row of a CSV on standard input
 *   deno task mnist-predict --run models/tmp-mlp --json --invert - < paper.png
 *
 * Prints one line per image: `SOURCE: digit D` (with `, label L` for a labelled CSV row) and the ten
 * probabilities of the digits 0..9; when every image has a label, then the accuracy. `--json` prints
 * `{ run, images: [{ source, row?, label?, digit, probabilities }] }` with every probability in full
 * (float32) precision. The input rules (formats, grey conversion, CSV rows and labels, inversion) are
 * src/mnist/image.ts's.
 *
 * The task may read only models/ and node_modules/ (as `deno task predict`): put images under
 * models/tmp-* (git-ignored) or pipe one file through `-`. Exit 2 on a bad flag or input (one line
 * naming the value), 1 on a missing file or a run directory without model.onnx (one line).
 * @module
 */
import { asUsageError, defineCommand, runCli, UsageError, writeAll } from "./args.ts";
import { ModelDirError } from "../src/model_dir/errors.ts";
import { readBytes } from "../src/model_dir/model_dir.ts";
import { OnnxError } from "../src/onnx/runtime.ts";
import { CSV_RANGES, type DecodedImage, decodeImageFile } from "../src/mnist/image.ts";
import { argmaxRows } from "../src/mnist/scores.ts";
import { loadMnistOnnx } from "../src/mnist/onnx.ts";
import { defaultMnistRunDir, mnistRunPaths } from "../src/mnist/run_dir.ts";
import { H61, MNIST_MODELS } from "../src/mnist/spec.ts";

const STDIN = "-";
const DEFAULT_MODEL = "linear";

const command = defineCommand({
  name: "mnist-predict",
  summary: `Runs an H6.1 network's model.onnx on ${H61.imageSide}x${H61.imageSide} images (PGM, PNG or CSV rows): ` +
    "prints the predicted digit and the ten probabilities per image.",
  flags: {
    model: {
      type: "enum",
      values: MNIST_MODELS,
      help: `the network: runs ${defaultMnistRunDir("MODEL")}/model.onnx (default ${DEFAULT_MODEL})`,
    },
    run: { type: "string", arg: "DIR", help: "a run directory to take model.onnx from, instead of --model's" },
    row: {
      type: "int",
      min: 0,
      max: 10_000_000,
      help: "the row of each CSV, from 0, counting neither a header line nor blank lines (default 0)",
    },
    "all-rows": { type: "bool", help: "every row of each CSV (instead of --row)" },
    "csv-range": {
      type: "enum",
      values: CSV_RANGES,
      default: "0..1",
      help: "what CSV values span: grey values 0..1, or bytes 0..255 (divided by 255)",
    },
    invert: {
      type: "bool",
      help: "the images are black digits on white paper: use 1 - value (a PNG's transparent pixels count as paper)",
    },
    json: { type: "bool", help: "print JSON: every image's source, label, digit and probabilities in full precision" },
  },
  positionals: {
    name: "FILE...",
    help: `${H61.imageSide}x${H61.imageSide} PGM (P2, P5) or PNG files, or CSVs of ${H61.pixels} values per row ` +
      `(${H61.pixels + 1}: a leading label 0..${H61.classes - 1}); the format is read from the first bytes; ` +
      `${STDIN} reads standard input`,
    min: 1,
    max: 10_000,
  },
  examples: [
    "models/tmp-digits/seven.pgm",
    "--model cnn models/tmp-digits/seven.png models/tmp-digits/two.pgm",
    "--all-rows --csv-range 0..255 - < mnist_test.csv",
    "--invert --json - < paper.png",
  ],
});

async function readInput(file: string): Promise<Uint8Array> {
  if (file !== STDIN) return await Deno.readFile(file);
  return new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer());
}

/** One output line: `SOURCE: digit D[, label L]; p(0..9) p0 … p9`. */
function line(image: DecodedImage, digit: number, p: Float32Array): string {
  const label = image.label === undefined ? "" : `, label ${image.label}`;
  return `${image.source}: digit ${digit}${label}; p(0..${H61.classes - 1}) ${
    Array.from(p, (v) => v.toFixed(6)).join(" ")
  }`;
}

await runCli(command, async ({ flags, positionals }) => {
  if (flags.run !== undefined && flags.model !== undefined) {
    throw new UsageError(`Give either --model or --run, not both (got --model ${flags.model} --run ${flags.run})`);
  }
  if (flags.row !== undefined && flags["all-rows"]) throw new UsageError("Give either --row N or --all-rows, not both");
  const stdinCount = positionals.filter((f) => f === STDIN).length;
  if (stdinCount > 1) throw new UsageError(`Standard input (${STDIN}) can be given once, got it ${stdinCount} times`);
  const dir = flags.run ?? defaultMnistRunDir(flags.model ?? DEFAULT_MODEL);
  // every input is decoded before the model is loaded: a bad one stops the run in one line
  const images: DecodedImage[] = [];
  for (const file of positionals) {
    const name = file === STDIN ? "standard input" : file;
    const bytes = await readInput(file);
    // the decoders' TypeError and RangeError are about the user's file here (exit 2)
    images.push(...asUsageError(
      () =>
        decodeImageFile(bytes, {
          name,
          row: flags["all-rows"] ? "all" : flags.row ?? 0,
          csvRange: flags["csv-range"],
          invert: flags.invert,
        }),
      TypeError,
      RangeError,
    ));
  }
  const onnxPath = mnistRunPaths(dir).onnx;
  const model = await loadMnistOnnx(await readBytes(onnxPath), onnxPath);
  const P = H61.pixels;
  const K = H61.classes;
  const x = new Float32Array(images.length * P); // [N, 784]
  images.forEach((image, n) => x.set(image.pixels, n * P));
  let p: Float32Array; // [N, 10]
  try {
    p = await model.predict(x);
  } finally {
    await model.release();
  }
  const digits = argmaxRows(p);
  const probabilities = (n: number) => p.subarray(n * K, (n + 1) * K);
  if (flags.json) {
    const out = {
      run: dir,
      images: images.map((image, n) => ({
        source: image.source,
        ...(image.row === undefined ? {} : { row: image.row }),
        ...(image.label === undefined ? {} : { label: image.label }),
        digit: digits[n],
        probabilities: Array.from(probabilities(n)),
      })),
    };
    await writeAll(Deno.stdout, JSON.stringify(out, null, 2) + "\n");
    return;
  }
  const lines = images.map((image, n) => line(image, digits[n], probabilities(n)));
  if (images.every((image) => image.label !== undefined)) {
    const hits = images.filter((image, n) => image.label === digits[n]).length;
    lines.push(`accuracy ${(100 * hits / images.length).toFixed(2)} % (${hits}/${images.length})`);
  }
  await writeAll(Deno.stdout, lines.join("\n") + "\n");
}, { failures: [ModelDirError, OnnxError] });
