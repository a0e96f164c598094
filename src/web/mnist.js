// The draw-a-digit page's logic: a pad drawn on with pointer events (mouse, pen or touch), the
// drawing prepared as MNIST's digits were (src/web/mnist_prep.js, served as /mnist_prep.js), and the
// H6.1 network's ten probabilities computed here with onnxruntime-web on /mnist/model.onnx (served
// from the installed package, no CDN). What the model is, or why there is none, comes from
// /mnist/info.json (src/serve/mnist.ts). A paste box takes 784 grey values straight to the network.
//
// body[data-state] says where the page is: loading, no-model, empty (nothing drawn), busy, done, error.
import { inkFromRgba, MNIST_PREP, parseGreyValues, prepareDigit } from "./mnist_prep.js";

/** The pen's width in pad pixels: a digit drawn 200 of the pad's 280 pixels tall becomes 20, its strokes 2 wide, as MNIST's. */
const PEN = 22;

const $ = (id) => document.getElementById(id);
const setState = (state) => (document.body.dataset.state = state);
const pad = $("pad");
const ctx = pad.getContext("2d", { willReadFrequently: true });
const preview = $("preview");
const PIXELS = MNIST_PREP.field * MNIST_PREP.field;
$("pixel-count").textContent = String(PIXELS);

function clearPad() {
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, pad.width, pad.height);
  preview.getContext("2d").clearRect(0, 0, preview.width, preview.height);
}
clearPad();

/** Shows a 28x28 field of grey values on the preview canvas. */
function showPreview(pixels) {
  const image = new ImageData(MNIST_PREP.field, MNIST_PREP.field);
  pixels.forEach((v, i) => {
    image.data.fill(Math.round(255 * v), 4 * i, 4 * i + 3);
    image.data[4 * i + 3] = 255;
  });
  preview.getContext("2d").putImageData(image, 0, 0);
}

/** One row per digit: a bar and the probability in per cent. */
function makeBars(classes) {
  return Array.from({ length: classes }, (_, k) => {
    const row = document.createElement("li");
    const label = document.createElement("span");
    label.textContent = String(k);
    const meter = document.createElement("meter");
    meter.min = 0;
    meter.max = 1;
    meter.value = 0;
    meter.setAttribute("aria-label", `P(digit ${k})`);
    const text = document.createElement("span");
    row.append(label, meter, text);
    $("bars").append(row);
    return { row, meter, text };
  });
}

async function main() {
  const info = await (await fetch("/mnist/info.json")).json();
  if (!info.available) {
    $("model-info").textContent = `No MNIST model: ${info.reason}. Train the CNN with deno task mnist --model cnn, ` +
      "or start the server with --mnist DIR on a run directory (e.g. models/mnist-linear).";
    $("status").textContent = "";
    for (const id of ["clear", "classify"]) $(id).disabled = true;
    setState("no-model");
    return;
  }
  if (info.inputDims.reduce((a, b) => a * b, 1) !== PIXELS) {
    throw new Error(`The model takes [${info.inputDims}], not one ${MNIST_PREP.field}x${MNIST_PREP.field} image`);
  }
  const ort = await import(new URL("/vendor/ort/ort.wasm.min.mjs", location.href).href);
  ort.env.wasm.wasmPaths = "/vendor/ort/";
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create("/mnist/model.onnx", { executionProviders: ["wasm"] });
  $("model-info").textContent = `Model ${info.model} from ${info.dir} (sha256 ${info.sha256.slice(0, 12)}…), ` +
    `test accuracy ${(100 * info.testAccuracy).toFixed(2)} % on ${info.testSize.toLocaleString("en")} test images.`;
  const bars = makeBars(info.classes);

  function showEmpty() {
    for (const b of bars) {
      b.meter.value = 0;
      b.text.textContent = "";
      b.row.classList.remove("top");
    }
    $("digit").textContent = "–";
    $("status").textContent = "Draw a digit.";
  }
  showEmpty();

  /** Runs the network on one field of grey values and shows its probabilities. */
  async function classify(pixels) {
    const input = new ort.Tensor("float32", pixels, info.inputDims);
    const out = await session.run({ [session.inputNames[0]]: input });
    const p = out[session.outputNames[0]].data; // float32 [classes]
    if (p.length !== bars.length) throw new Error(`The model answered ${p.length} values, not ${bars.length}`);
    let top = 0;
    p.forEach((v, k) => (top = v > p[top] ? k : top));
    bars.forEach((b, k) => {
      b.meter.value = p[k];
      b.text.textContent = `${(100 * p[k]).toFixed(2)} %`;
      b.row.classList.toggle("top", k === top);
    });
    $("digit").textContent = String(top);
    $("status").textContent = `The network reads a ${top}, with probability ${(100 * p[top]).toFixed(1)} %.`;
  }

  /** Reads the pad: "empty" when nothing is drawn, else "done" once the probabilities show. */
  async function readPad() {
    const pixels = prepareDigit(inkFromRgba(ctx.getImageData(0, 0, pad.width, pad.height)));
    if (pixels === null) {
      showEmpty();
      return "empty";
    }
    showPreview(pixels);
    await classify(pixels);
    return "done";
  }

  // One run at a time, the latest job first: strokes that arrive during a run are read once it
  // ends, so the last drawing is always the one shown, and data-state is "done" only then.
  let pending = null; // () => Promise<state>
  let running = false;
  async function run(job) {
    setState("busy");
    pending = job;
    if (running) return;
    running = true;
    let state = "error";
    while (pending) {
      const next = pending;
      pending = null;
      try {
        state = await next();
        $("error").textContent = "";
      } catch (e) {
        $("error").textContent = e.message;
        state = "error";
      }
    }
    running = false;
    setState(state);
  }

  // drawing: one pointer at a time, captured so a stroke that leaves the pad still ends
  let stroke = null; // { id, x, y }
  const at = (e) => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
  };
  const lineTo = ([x, y]) => {
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = PEN;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(stroke.x, stroke.y);
    ctx.lineTo(x, y);
    ctx.stroke();
    [stroke.x, stroke.y] = [x, y];
  };
  pad.addEventListener("pointerdown", (e) => {
    if (stroke || e.button !== 0) return;
    e.preventDefault();
    pad.setPointerCapture(e.pointerId);
    const [x, y] = at(e);
    stroke = { id: e.pointerId, x, y };
    lineTo([x, y]); // a dot
    run(readPad);
  });
  pad.addEventListener("pointermove", (e) => {
    if (!stroke || e.pointerId !== stroke.id) return;
    for (const c of e.getCoalescedEvents?.() ?? [e]) lineTo(at(c));
    run(readPad);
  });
  const end = (e) => {
    if (!stroke || e.pointerId !== stroke.id) return;
    stroke = null;
    run(readPad);
  };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);

  $("clear").addEventListener("click", () => {
    clearPad();
    run(readPad);
  });

  $("classify").addEventListener("click", () => {
    const text = $("pixels").value;
    run(async () => {
      const pixels = parseGreyValues(text, { count: PIXELS });
      clearPad();
      showPreview(pixels);
      await classify(pixels);
      return "done";
    });
  });

  setState("empty");
}

main().catch((e) => {
  $("error").textContent = e.message;
  setState("error");
});
