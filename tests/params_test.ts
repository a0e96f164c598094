import { assertEquals, assertThrows } from "@std/assert";
import { countParameters, type LayerShape } from "../src/core/params.ts";
import { initBackend } from "../src/train/backend.ts";
import * as tf from "@tensorflow/tfjs";

await initBackend();

/** The same stack in tf.layers, many-to-one: every recurrent layer but the last returns sequences. */
function tfCount(inputSize: number, length: number, layers: LayerShape[]): number {
  const model = tf.sequential();
  const lastRecurrent = layers.findLastIndex((l) => l.kind === "simpleRnn" || l.kind === "lstm" || l.kind === "gru");
  layers.forEach((l, k) => {
    const first = k === 0 ? { inputShape: [length, inputSize] } : {};
    const returnSequences = k < lastRecurrent;
    if (l.kind === "dense") model.add(tf.layers.dense({ units: l.units, ...first }));
    else if (l.kind === "simpleRnn") model.add(tf.layers.simpleRNN({ units: l.units, returnSequences, ...first }));
    else if (l.kind === "lstm") model.add(tf.layers.lstm({ units: l.units, returnSequences, ...first }));
    else if (l.kind === "gru") model.add(tf.layers.gru({ units: l.units, returnSequences, ...first }));
    else model.add(tf.layers.conv1d({ filters: l.filters, kernelSize: l.kernelSize, ...first }));
  });
  const n = model.countParams();
  model.dispose();
  return n;
}

Deno.test("countParameters() matches tf.layers countParams() for every layer kind", () => {
  const stacks: [number, LayerShape[]][] = [
    [1, [{ kind: "lstm", units: 200 }, { kind: "dense", units: 1 }]],
    [1, [{ kind: "simpleRnn", units: 200 }, { kind: "dense", units: 1 }]],
    [1, [{ kind: "gru", units: 200 }, { kind: "dense", units: 1 }]],
    [30, [{ kind: "dense", units: 1 }]],
    [1, [{ kind: "conv1d", filters: 16, kernelSize: 5 }]],
    [3, [{ kind: "gru", units: 7 }, { kind: "lstm", units: 5 }, { kind: "dense", units: 2 }]],
  ];
  for (const [inputSize, layers] of stacks) {
    assertEquals(countParameters(inputSize, layers).total, tfCount(inputSize, 30, layers), JSON.stringify(layers));
  }
});

// Review questions b and f of the practical on recurrent models: two recurrent layers of 32 and 64
// units, a softmax over 10 classes, sequences of 100 steps of 30-dimensional vectors.
Deno.test("countParameters() answers the review questions: two-layer SimpleRNN 8,874 and LSTM 33,546 parameters", () => {
  const rnn = countParameters(30, [{ kind: "simpleRnn", units: 32 }, { kind: "simpleRnn", units: 64 }, {
    kind: "dense",
    units: 10,
  }]);
  assertEquals(rnn.perLayer, [2016, 6208, 650]); // 32·(30+32)+32, 64·(32+64)+64, 64·10+10
  assertEquals(rnn.total, 8874);
  const lstm = countParameters(30, [{ kind: "lstm", units: 32 }, { kind: "lstm", units: 64 }, {
    kind: "dense",
    units: 10,
  }]);
  assertEquals(lstm.perLayer, [8064, 24832, 650]);
  assertEquals(lstm.total, 33546);
  for (
    const layers of [[{ kind: "simpleRnn", units: 32 }, { kind: "simpleRnn", units: 64 }, {
      kind: "dense",
      units: 10,
    }]] as LayerShape[][]
  ) {
    assertEquals(countParameters(30, layers).total, tfCount(30, 100, layers), "tf.layers agrees at length 100");
  }
});

Deno.test("countParameters() rejects sizes that are not positive integers, naming them", () => {
  assertThrows(() => countParameters(0, []), RangeError, "Input size must be a positive integer, got 0");
  assertThrows(
    () => countParameters(1, [{ kind: "lstm", units: 2.5 }]),
    RangeError,
    "Layer 0 units must be a positive integer, got 2.5",
  );
});
