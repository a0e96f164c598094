// The page's logic: load model.onnx with onnxruntime-web (served from the installed package,
// no CDN), read a series of digits, show P(sum >= threshold), the class and the running sum.
// The typed-series grammar and the decision rule are the core's own (src/core/digits.js); the series
// length, digit count and threshold come from the server (/spec.json), which reads them from SPEC.
// The module URL is built at run time: onnxruntime-web is served by this project's server.
import { decide, parseSeriesText } from "../core/digits.js"; // served as /core/digits.js

const ort = await import(new URL("/vendor/ort/ort.wasm.min.mjs", location.href).href);

ort.env.wasm.wasmPaths = "/vendor/ort/";
ort.env.wasm.numThreads = 1;

const $ = (id) => document.getElementById(id);
const spec = await (await fetch("/spec.json")).json();
const LENGTH = spec.seriesLength;
const fill = { ...spec, maxDigit: spec.digitValues - 1 };
for (const el of document.querySelectorAll("[data-spec]")) el.textContent = String(fill[el.dataset.spec]);

/** The series that sums to `sum` with its largest digits first, e.g. eleven 9s and a 1 for 100. */
function seriesWithSum(sum) {
  let rest = sum;
  return Array.from({ length: LENGTH }, () => {
    const d = Math.min(spec.digitValues - 1, rest);
    rest -= d;
    return d;
  });
}
for (const [id, sum] of [["example-below", spec.threshold - 1], ["example-at", spec.threshold]]) {
  $(id).href = `?series=${seriesWithSum(sum).join(",")}`;
  $(id).textContent += ` (${sum})`;
}

/** A uniform random series, from crypto.getRandomValues without modulo bias. */
function randomSeries() {
  const out = [];
  const bytes = new Uint8Array(64);
  const limit = 256 - (256 % spec.digitValues); // bytes at or above it would favour small digits
  while (out.length < LENGTH) {
    crypto.getRandomValues(bytes);
    for (const b of bytes) if (b < limit && out.length < LENGTH) out.push(b % spec.digitValues);
  }
  return out;
}

const sessionPromise = ort.InferenceSession.create("/model.onnx", { executionProviders: ["wasm"] });

async function show(digits) {
  $("error").textContent = "";
  const session = await sessionPromise;
  const input = new ort.Tensor("float32", Float32Array.from(digits), [1, LENGTH, 1]);
  const out = await session.run({ series: input });
  const p = out.probability.data[0];
  let sum = 0;
  const running = digits.map((d) => (sum += d));
  $("probability").textContent = p.toFixed(6);
  $("class").textContent = decide(p) === 1 ? `1 (sum ≥ ${spec.threshold})` : `0 (sum < ${spec.threshold})`;
  $("sum").textContent = `${running.join(" → ")}  (${sum})`;
  document.body.dataset.state = "done";
}

async function predictFromInput() {
  try {
    await show(parseSeriesText($("digits").value, { length: LENGTH, digitValues: spec.digitValues }));
  } catch (e) {
    $("error").textContent = e.message;
    document.body.dataset.state = "error";
  }
}

$("predict").addEventListener("click", predictFromInput);
$("digits").addEventListener("keydown", (e) => e.key === "Enter" && predictFromInput());
$("random").addEventListener("click", () => {
  $("digits").value = randomSeries().join(",");
  predictFromInput();
});

fetch("/healthz").then((r) => r.json()).then(({ model }) => {
  $("model-info").textContent = `Model ${model.arch} (sha256 ${model.sha256.slice(0, 12)}…), validation accuracy ${
    (100 * model.validationAccuracy).toFixed(2)
  } % on ${spec.validationSize.toLocaleString("en")} held-out series.`;
}).catch(() => ($("model-info").textContent = "Model information unavailable."));

const query = new URLSearchParams(location.search).get("series");
if (query) {
  $("digits").value = query;
  predictFromInput();
}
