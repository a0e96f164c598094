// The page's logic: load model.onnx with onnxruntime-web (served from the installed package,
// no CDN), read 30 digits, show P(sum >= 100), the class and the running sum.
// The module URL is built at run time: onnxruntime-web is served by this project's server.
const ort = await import(new URL("/vendor/ort/ort.wasm.min.mjs", location.href).href);

ort.env.wasm.wasmPaths = "/vendor/ort/";
ort.env.wasm.numThreads = 1;

const $ = (id) => document.getElementById(id);
const LENGTH = 30;

/** Reads "1,2,3", "1 2 3" or "123…" into digits, or throws an Error naming the problem. */
function parseDigits(text) {
  const trimmed = text.trim();
  const parts = /[,\s]/.test(trimmed) ? trimmed.split(/[\s,]+/).filter((s) => s !== "") : [...trimmed];
  if (parts.length !== LENGTH) throw new Error(`Expected ${LENGTH} digits, got ${parts.length}`);
  return parts.map((p, k) => {
    if (!/^\d$/.test(p)) throw new Error(`Digit ${k + 1} must be 0..9, got "${p}"`);
    return Number(p);
  });
}

function randomSeries() {
  const out = [];
  const bytes = new Uint8Array(64);
  while (out.length < LENGTH) {
    crypto.getRandomValues(bytes);
    for (const b of bytes) if (b < 250 && out.length < LENGTH) out.push(b % 10); // 250 = 25·10: no modulo bias
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
  $("class").textContent = p >= 0.5 ? "1 (sum ≥ 100)" : "0 (sum < 100)";
  $("sum").textContent = `${running.join(" → ")}  (${sum})`;
  document.body.dataset.state = "done";
}

async function predictFromInput() {
  try {
    await show(parseDigits($("digits").value));
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
  $("model-info").textContent = `Model sha256 ${model.sha256.slice(0, 12)}…, validation accuracy ${
    (100 * model.validationAccuracy).toFixed(2)
  } % on 2,000 held-out series.`;
}).catch(() => ($("model-info").textContent = "Model information unavailable."));

const query = new URLSearchParams(location.search).get("series");
if (query) {
  $("digits").value = query;
  predictFromInput();
}
