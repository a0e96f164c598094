/**
 * The H6.1 networks (src/mnist/model.ts): architecture and initialisation, the training forward
 * pass against tf.layers, the convolution against tf.conv2d and the im2col product, and its gradients
 * (written out: the WASM backend has no Conv2DBackpropFilter) against the CPU backend.
 */
import { assert, assertAlmostEquals, assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import { initBackend, tf } from "../src/train/backend.ts";
import { createRng } from "../src/core/rng.ts";
import { relativeError } from "./_relative_error.ts";
import { loadMnist, splitMnist, takeRows } from "../src/mnist/data.ts";
import {
  buildMnistModel,
  conv2dSame,
  convKernelGrad,
  dropoutMask,
  im2col,
  im2colT,
  matMulData,
  matMulT,
  maxPoolValid,
  mnistLogits,
  mnistStep,
  mnistVariables,
  predictMnist,
} from "../src/mnist/model.ts";
import { makeMnistOptimizer } from "../src/mnist/train.ts";
import { defaultMnistConfig, type MnistOverrides, resolveMnistConfig } from "../src/mnist/spec.ts";

await initBackend();
const images = await loadMnist();
const { train } = splitMnist(images, { dataSeed: 42, trainSize: 8_000, testSize: 2_000 });
/** 100 training images of every digit: rows spread over the (digit-sorted) training set. */
const batch = takeRows(train, Array.from({ length: 100 }, (_, i) => i * 79));

/** Uniform values in [lo, hi) from the project's generator. */
function uniform(seed: number, size: number, lo = -1, hi = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: size }, () => lo + (hi - lo) * rng.nextFloat());
}

const small: Record<string, MnistOverrides> = {
  linear: { model: "linear" },
  mlp: { model: "mlp", hiddenUnits: 24, hiddenLayers: 3, biasInit: 0.1 },
  "mlp-dropout": { model: "mlp-dropout", hiddenUnits: 24, hiddenLayers: 3, biasInit: 0.1 },
  cnn: { model: "cnn", filters: [3, 4], biasInit: 0.1 },
};

Deno.test("buildMnistModel() (d) is conv 5x5 same → pool 2x2/2 → conv 5x5 same → pool → dense 10, with the spec's shapes", () => {
  const model = buildMnistModel(defaultMnistConfig("cnn"));
  assertEquals(model.layers.map((l) => l.getClassName()), [
    "Reshape",
    "Conv2D",
    "MaxPooling2D",
    "Conv2D",
    "MaxPooling2D",
    "Flatten",
    "Dense",
  ]);
  assertEquals(model.layers.map((l) => l.outputShape), [
    [null, 28, 28, 1],
    [null, 28, 28, 32],
    [null, 14, 14, 32],
    [null, 14, 14, 64],
    [null, 7, 7, 64],
    [null, 3136],
    [null, 10],
  ]);
  for (const name of ["conv1", "conv2"]) {
    const c = model.getLayer(name).getConfig();
    assertEquals([c.kernelSize, c.strides, c.padding, c.activation, c.useBias], [[5, 5], [1, 1], "same", "relu", true]);
  }
  for (const name of ["pool1", "pool2"]) {
    const c = model.getLayer(name).getConfig();
    assertEquals([c.poolSize, c.strides, c.padding], [[2, 2], [2, 2], "valid"]);
  }
  assertEquals(model.getLayer("output").getConfig().activation, "softmax");
  model.dispose();
});

Deno.test("buildMnistModel() (b), (c) are 3 hidden ReLU layers of 1,500 then softmax; (c) adds dropout 0.5 after each", () => {
  const mlp = buildMnistModel(defaultMnistConfig("mlp"));
  assertEquals(mlp.layers.map((l) => [l.name, l.getConfig().units, l.getConfig().activation]), [
    ["hidden1", 1500, "relu"],
    ["hidden2", 1500, "relu"],
    ["hidden3", 1500, "relu"],
    ["output", 10, "softmax"],
  ]);
  mlp.dispose();
  const drop = buildMnistModel(resolveMnistConfig({ model: "mlp-dropout", hiddenUnits: 4 }));
  assertEquals(drop.layers.map((l) => l.name), [
    "hidden1",
    "dropout1",
    "hidden2",
    "dropout2",
    "hidden3",
    "dropout3",
    "output",
  ]);
  assertEquals(drop.getLayer("dropout2").getConfig().rate, 0.5);
  drop.dispose();
});

Deno.test("buildMnistModel() (a) starts W and θ at zeros", () => {
  const model = buildMnistModel(defaultMnistConfig("linear"));
  for (const { role, variable } of mnistVariables(model)) assert(variable.dataSync().every((v) => v === 0), role);
  assertEquals(mnistVariables(model).map((r) => [r.role, r.variable.shape]), [
    ["output/kernel", [784, 10]],
    ["output/bias", [10]],
  ]);
  model.dispose();
});

Deno.test("buildMnistModel() (b)–(d) draws every kernel from the truncated normal (|w| <= 0.02, sd ≈ 0.0088) and sets every bias to −0.1", () => {
  for (const m of ["mlp", "cnn"] as const) {
    const config = m === "mlp" ? resolveMnistConfig({ model: m, hiddenUnits: 300 }) : defaultMnistConfig(m);
    const model = buildMnistModel(config);
    for (const { role, variable } of mnistVariables(model)) {
      const v = variable.dataSync() as Float32Array;
      if (role.endsWith("/bias")) {
        assert(v.every((b) => b === Math.fround(-0.1)), `${m} ${role}`);
        continue;
      }
      assert(v.every((w) => Math.abs(w) <= Math.fround(0.02)), `${m} ${role} beyond 2 sd`);
      const sd = Math.sqrt(v.reduce((a, w) => a + w * w, 0) / v.length);
      assert(Math.abs(sd / 0.008796 - 1) < 0.15, `${m} ${role}: sd ${sd}`);
    }
    model.dispose();
  }
});

Deno.test("buildMnistModel() is seeded: the same seed gives the same weights, another seed, and each layer, others", () => {
  const weights = (seed: number) => {
    const model = buildMnistModel(resolveMnistConfig({ model: "cnn", seed, filters: [3, 4] }));
    const out = mnistVariables(model).map((r) => Array.from(r.variable.dataSync()));
    model.dispose();
    return out;
  };
  const a = weights(1);
  assertEquals(weights(1), a);
  assertNotEquals(weights(2)[0], a[0]);
  assertNotEquals(a[0].slice(0, 10), a[2].slice(0, 10), "conv1 and conv2 must draw from different streams");
});

Deno.test("buildMnistModel() with the exercise's bias −0.1: hidden layers 2 and 3 of the MLP are dead at the start, only the output bias gets a gradient", () => {
  const config = defaultMnistConfig("mlp");
  const model = buildMnistModel(config);
  const x = tf.tensor2d(batch.x, [batch.size, 784]);
  let h: tf.Tensor = x;
  const alive: number[] = [];
  for (const layer of model.layers.slice(0, 3)) {
    h = layer.apply(h) as tf.Tensor;
    alive.push((h.dataSync() as Float32Array).filter((v) => v > 0).length / h.size);
  }
  assert(alive[0] > 0.05, `hidden1: ${alive[0]} of units active`);
  assertEquals(alive.slice(1), [0, 0]);
  const labels = tf.oneHot(tf.tensor1d(batch.y, "int32"), 10);
  const roles = mnistVariables(model);
  const { grads, value } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(labels, mnistLogits(model, config, x)) as tf.Scalar,
    roles.map((r) => r.variable),
  );
  const moved = roles.filter((r) => grads[r.variable.name].dataSync().some((g) => g !== 0)).map((r) => r.role);
  assertEquals(moved, ["output/bias"]);
  tf.dispose([x, h, labels, value, ...Object.values(grads)]);
  model.dispose();
});

for (const [name, overrides] of Object.entries(small)) {
  Deno.test(`mnistLogits() ${name}: softmax of the inference forward equals tf.layers predict to 1e-5`, () => {
    const config = resolveMnistConfig({ ...overrides, seed: 3 });
    const model = buildMnistModel(config);
    // the spec's small initial weights predict about 0.1 everywhere: give every weight values that vary
    tf.tidy(() =>
      mnistVariables(model).forEach(({ variable }, i) =>
        variable.assign(tf.tensor(uniform(100 + i, variable.size, -0.2, 0.2), variable.shape))
      )
    );
    const x = tf.tensor2d(batch.x.subarray(0, 20 * 784), [20, 784]);
    const ours = tf.tidy(() => tf.softmax(mnistLogits(model, config, x)).dataSync());
    const theirs = predictMnist(model, batch.x.subarray(0, 20 * 784));
    for (let i = 0; i < ours.length; i++) assertAlmostEquals(ours[i], theirs[i], 1e-5, `value ${i}`);
    assert(Math.max(...theirs) - Math.min(...theirs) > 0.01, "outputs must vary, or the test proves nothing");
    x.dispose();
    model.dispose();
  });
}

Deno.test("im2col(): conv2dSame() equals tf.conv2d 'same' plus bias to 1e-5, at a small and at the second layer's shape", () => {
  for (const [B, S, C, F] of [[3, 9, 2, 3], [2, 14, 32, 64]]) {
    tf.tidy(() => {
      const x = tf.tensor4d(uniform(B + S, B * S * S * C, 0, 1), [B, S, S, C]);
      const k = tf.tensor4d(uniform(F, 25 * C * F, -0.1, 0.1), [5, 5, C, F]);
      const b = tf.tensor1d(uniform(7, F));
      const ours = conv2dSame(x, k, b).dataSync();
      const theirs = tf.add(tf.conv2d(x, k, 1, "same"), b).dataSync();
      assert(relativeError(theirs, ours) < 1e-5, `[${B}, ${S}, ${S}, ${C}] -> ${F}: ${relativeError(theirs, ours)}`);
    });
  }
  assertThrows(
    () => im2col(tf.zeros([1, 4, 4, 1]) as tf.Tensor4D, 4),
    RangeError,
    "Kernel side must be an odd positive integer, got 4",
  );
});

Deno.test("im2colT() equals the transpose of im2col() bit for bit, with one channel and with many", () => {
  for (const [B, S, C, k] of [[2, 9, 1, 5], [3, 7, 2, 3], [2, 14, 32, 5], [1, 4, 3, 1]]) {
    tf.tidy(() => {
      const x = tf.tensor4d(uniform(B * S + C, B * S * S * C), [B, S, S, C]);
      const ours = im2colT(x, k);
      assertEquals(ours.shape, [k * k * C, B * S * S]);
      const [got, want] = [ours.dataSync(), tf.transpose(im2col(x, k)).dataSync()];
      const differ = got.findIndex((v, i) => !Object.is(v, want[i]));
      assertEquals(differ, -1, `[${B}, ${S}, ${C}] k ${k}: first difference at ${differ}`);
      assert(got.some((v) => v !== 0) && (k === 1 || got.some((v) => v === 0)), "padding and values must both occur");
    });
  }
  assertThrows(
    () => im2colT(tf.zeros([1, 4, 4, 1]) as tf.Tensor4D, 2),
    RangeError,
    "Kernel side must be an odd positive integer, got 2",
  );
});

Deno.test("convKernelGrad() equals im2col(x)ᵀ · g to 1e-5, by its product (one channel) and by its convolution (many)", () => {
  for (const [B, S, C, F] of [[4, 28, 1, 8], [3, 14, 32, 64], [2, 6, 3, 2]]) {
    tf.tidy(() => {
      const x = tf.tensor4d(uniform(S + C, B * S * S * C, 0, 1), [B, S, S, C]);
      const g = tf.tensor4d(uniform(F, B * S * S * F), [B, S, S, F]);
      const ref = tf.matMul(tf.transpose(im2col(x, 5)), tf.reshape(g, [-1, F]) as tf.Tensor2D).dataSync();
      const ours = convKernelGrad(x, g, 5);
      assertEquals(ours.shape, [5, 5, C, F]);
      const err = relativeError(ref, ours.dataSync());
      assert(err < 1e-5, `[${B}, ${S}, ${S}, ${C}] -> ${F}: ${err}`);
    });
  }
});

Deno.test("conv2dSame() with relu: the forward pass is relu(im2col(x) · W + b) bit for bit, the product training used before", () => {
  tf.tidy(() => {
    const [B, S, C, F] = [4, 14, 32, 64];
    const x = tf.tensor4d(uniform(21, B * S * S * C, 0, 1), [B, S, S, C]);
    const k = tf.tensor4d(uniform(22, 25 * C * F, -0.05, 0.05), [5, 5, C, F]);
    const b = tf.tensor1d(uniform(23, F, -0.5, 0.5));
    const ours = conv2dSame(x, k, b, { relu: true }).dataSync();
    const before = tf.relu(tf.add(tf.matMul(im2col(x, 5), tf.reshape(k, [25 * C, F]) as tf.Tensor2D), b)).dataSync();
    assertEquals(Array.from(ours), Array.from(before));
    const zeros = ours.filter((v) => v === 0).length;
    assert(zeros > 0.1 * ours.length && zeros < 0.9 * ours.length, `${zeros} of ${ours.length} cut by the ReLU`);
  });
});

/** Gradients of sum(conv2dSame(x, k, b) · weights) for x (unless data), k and b, by `conv` on the current backend. */
function convGradients(
  conv: (x: tf.Tensor4D, k: tf.Tensor4D, b: tf.Tensor1D) => tf.Tensor,
  shape: number[],
  F: number,
  data: boolean,
): Float32Array[] {
  const [B, S, , C] = shape;
  return tf.tidy(() => {
    const x = tf.tensor4d(uniform(31, B * S * S * C, 0, 1), [B, S, S, C]);
    const k = tf.tensor4d(uniform(32, 25 * C * F, -0.2, 0.2), [5, 5, C, F]);
    const b = tf.tensor1d(uniform(33, F, -0.3, 0.3));
    const weights = tf.tensor4d(uniform(34, B * S * S * F, 0.5, 1.5), [B, S, S, F]);
    const f = (...args: tf.Tensor[]) => {
      const [xx, kk, bb] = data ? [x, ...args] : args;
      return tf.sum(tf.mul(conv(xx as tf.Tensor4D, kk as tf.Tensor4D, bb as tf.Tensor1D), weights)) as tf.Scalar;
    };
    return tf.grads(f)(data ? [k, b] : [x, k, b]).map((g) => g.dataSync() as Float32Array);
  });
}

Deno.test("conv2dSame() gradients of x, kernel and bias equal tf.conv2d autodiff on the CPU backend to 1e-5, with and without relu; data gets none", async () => {
  for (const [shape, F] of [[[3, 8, 8, 1], 4], [[2, 6, 6, 5], 3]] as const) {
    for (const relu of [false, true]) {
      for (const data of [false, true]) {
        const ours = convGradients((x, k, b) => conv2dSame(x, k, b, { relu, data }), [...shape], F, data);
        await tf.setBackend("cpu");
        const ref = convGradients(
          (x, k, b) => {
            const z = tf.add(tf.conv2d(x, k, 1, "same"), b);
            return relu ? tf.relu(z) : z;
          },
          [...shape],
          F,
          data,
        );
        await tf.setBackend("wasm");
        assertEquals(ours.length, data ? 2 : 3);
        ours.forEach((g, i) => {
          const err = relativeError(ref[i], g);
          assert(err < 1e-5, `[${shape}] -> ${F}, relu ${relu}, data ${data}, gradient ${i}: ${err}`);
          assert(ref[i].some((v) => v !== 0), "a zero gradient proves nothing");
        });
      }
    }
  }
});

Deno.test("conv2dSame() with relu passes no gradient where the value before the ReLU is exactly 0, as tf.relu's step", () => {
  tf.tidy(() => {
    // zero images: the value before the ReLU is the bias, 0 in map 0 and 1 in map 1
    const x = tf.zeros([2, 4, 4, 1]) as tf.Tensor4D;
    const k = tf.tensor4d(uniform(41, 25 * 2), [5, 5, 1, 2]);
    const b = tf.tensor1d([0, 1]);
    const [db] = tf.grads((bb: tf.Tensor) => tf.sum(conv2dSame(x, k, bb as tf.Tensor1D, { relu: true, data: true })))([
      b,
    ]);
    assertEquals(Array.from(db.dataSync()), [0, 2 * 4 * 4]);
  });
});

Deno.test("tfjs 4.22 WASM has no Conv2DBackpropFilter kernel (why the gradients are written out), but has MaxPoolGrad and Conv2D", () => {
  const kernels = tf.getKernelsForBackend("wasm").map((k) => k.kernelName);
  assertEquals(["Conv2DBackpropFilter", "MaxPoolGrad", "Conv2D"].map((k) => kernels.includes(k)), [false, true, true]);
  const k = tf.variable(tf.ones([5, 5, 1, 2]));
  assertThrows(
    () =>
      tf.variableGrads(() =>
        tf.sum(tf.conv2d(tf.ones([1, 6, 6, 1]) as tf.Tensor4D, k as tf.Tensor4D, 1, "same")) as tf.Scalar
      ),
    Error,
    "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'",
  );
  k.dispose();
});

Deno.test("matMulT() and matMulData() give tfjs's matMul gradients (explicit transposes) to 1e-6", () => {
  tf.tidy(() => {
    const a = tf.variable(tf.tensor2d(uniform(1, 6 * 5), [6, 5]));
    const b = tf.variable(tf.tensor2d(uniform(2, 5 * 4), [5, 4]));
    const w = tf.tensor2d(uniform(3, 6 * 4), [6, 4]); // a weighting, so that every gradient entry differs
    const loss = (f: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D) => () => tf.sum(tf.mul(f(a, b), w)) as tf.Scalar;
    const ref = tf.variableGrads(loss((x, y) => tf.matMul(x, y)), [a, b]).grads;
    const ours = tf.variableGrads(loss(matMulT), [a, b]).grads;
    const data = tf.variableGrads(loss((x, y) => matMulData(x, y)), [b]).grads;
    for (const v of [a, b]) assert(relativeError(ref[v.name].dataSync(), ours[v.name].dataSync()) < 1e-6, v.name);
    assert(relativeError(ref[b.name].dataSync(), data[b.name].dataSync()) < 1e-6);
    assertEquals(Object.keys(data), [b.name], "matMulData gives the data no gradient");
    a.dispose();
    b.dispose();
  });
});

/** Loss and every gradient of the CNN on `n` images, by tf.conv2d autodiff on the CPU backend. */
async function cpuCnnGradients(
  weights: Record<string, { values: Float32Array; shape: number[] }>,
  x: Float32Array,
  y: Uint8Array,
): Promise<{ loss: number; grads: Record<string, Float32Array> }> {
  await tf.setBackend("cpu");
  try {
    return tf.tidy(() => {
      const names = Object.keys(weights);
      const vars = names.map((n) => tf.tensor(weights[n].values, weights[n].shape));
      const n = y.length;
      const xs = tf.tensor4d(x, [n, 28, 28, 1]);
      const labels = tf.oneHot(tf.tensor1d(y, "int32"), 10);
      const f = (...w: tf.Tensor[]) => {
        const byName = Object.fromEntries(names.map((name, i) => [name, w[i]]));
        let h: tf.Tensor4D = xs;
        for (const k of [1, 2]) {
          const conv = tf.add(
            tf.conv2d(h, byName[`conv${k}/kernel`] as tf.Tensor4D, 1, "same"),
            byName[`conv${k}/bias`],
          );
          h = tf.maxPool(tf.relu(conv) as tf.Tensor4D, 2, 2, "valid");
        }
        const logits = tf.add(
          tf.matMul(tf.reshape(h, [n, -1]), byName["output/kernel"] as tf.Tensor2D),
          byName["output/bias"],
        );
        return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
      };
      const { value, grads } = tf.valueAndGrads(f)(vars);
      return {
        loss: value.dataSync()[0],
        grads: Object.fromEntries(names.map((name, i) => [name, grads[i].dataSync() as Float32Array])),
      };
    });
  } finally {
    await tf.setBackend("wasm");
  }
}

Deno.test("mnistLogits() (d) CNN on WASM: loss and every gradient equal tf.conv2d autodiff on the CPU backend to 1e-4", async () => {
  const config = resolveMnistConfig({ model: "cnn", filters: [3, 4], biasInit: 0.1, seed: 11 });
  const model = buildMnistModel(config);
  const n = 6;
  const x = batch.x.subarray(0, n * 784);
  const y = batch.y.subarray(0, n);
  const roles = mnistVariables(model);
  const { loss, grads } = tf.tidy(() => {
    const labels = tf.oneHot(tf.tensor1d(y, "int32"), 10);
    const xs = tf.tensor2d(x, [n, 784]);
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(labels, mnistLogits(model, config, xs)) as tf.Scalar,
      roles.map((r) => r.variable),
    );
    return {
      loss: value.dataSync()[0],
      grads: Object.fromEntries(roles.map((r) => [r.role, grads[r.variable.name].dataSync() as Float32Array])),
    };
  });
  const weights = Object.fromEntries(
    roles.map((r) => [r.role, { values: r.variable.dataSync() as Float32Array, shape: r.variable.shape }]),
  );
  const ref = await cpuCnnGradients(weights, x, y);
  assertEquals(tf.getBackend(), "wasm");
  assertAlmostEquals(loss, ref.loss, 1e-5);
  for (const { role } of roles) {
    const err = relativeError(ref.grads[role], grads[role]);
    assert(err < 1e-4, `${role}: relative error ${err}`);
    assert(ref.grads[role].some((g) => g !== 0), `${role}: a zero gradient proves nothing`);
  }
  model.dispose();
});

/** d sum(maxPool(x) · w) / dx by `pool` on the current backend. */
function poolGradient(pool: (x: tf.Tensor4D) => tf.Tensor, values: Float32Array, shape: number[]): number[] {
  const [B, H, W, C] = shape;
  const w = uniform(6, B * (H / 2) * (W / 2) * C, 0.5, 1.5);
  return tf.tidy(() =>
    Array.from(
      tf.grad((x: tf.Tensor) => tf.sum(tf.mul(pool(x as tf.Tensor4D), tf.tensor4d(w, [B, H / 2, W / 2, C]))))(
        tf.tensor4d(values, [B, H, W, C]),
      ).dataSync(),
    )
  );
}

Deno.test("tfjs 4.22 WASM MaxPoolGrad passes no gradient from a window without a positive value (why maxPoolValid exists)", async () => {
  // two 2x2 windows side by side: the left one's maximum is 2, the right one's −1, every value there negative
  const values = Float32Array.of(1, 2, -3, -1, 0.5, 0.2, -4, -2);
  const wasm = poolGradient((x) => tf.maxPool(x, 2, 2, "valid"), values, [1, 2, 4, 1]);
  await tf.setBackend("cpu");
  const cpu = poolGradient((x) => tf.maxPool(x, 2, 2, "valid"), values, [1, 2, 4, 1]);
  await tf.setBackend("wasm");
  assertEquals(cpu.map((g) => g !== 0), [false, true, false, true, false, false, false, false]);
  assertEquals(wasm.map((g) => g !== 0), [false, true, false, false, false, false, false, false]);
  assertEquals(poolGradient((x) => maxPoolValid(x, 2), values, [1, 2, 4, 1]), cpu);
});

Deno.test("maxPoolValid() equals tf.maxPool forward, and its gradient equals the CPU backend's, negatives and ties included", async () => {
  const shape = [2, 8, 8, 3];
  const values = uniform(5, 2 * 8 * 8 * 3);
  values.fill(0.9, 0, 6).fill(0.1, 24, 30); // the first window of every channel: a tie of its two top pixels
  const ours = poolGradient((x) => maxPoolValid(x, 2), values, shape);
  const wasm = poolGradient((x) => tf.maxPool(x, 2, 2, "valid"), values, shape);
  assert(wasm[0] === 0 && wasm[3] !== 0, "WASM's kernel keeps the last of tied maxima");
  const forward = tf.tidy(() => {
    const x = tf.tensor4d(values, [2, 8, 8, 3]);
    return [Array.from(maxPoolValid(x, 2).dataSync()), Array.from(tf.maxPool(x, 2, 2, "valid").dataSync())];
  });
  assertEquals(forward[0], forward[1]);
  await tf.setBackend("cpu");
  const cpu = poolGradient((x) => tf.maxPool(x, 2, 2, "valid"), values, shape);
  await tf.setBackend("wasm");
  assertEquals(ours, cpu);
  assert(cpu[0] !== 0 && cpu[3] === 0, "the CPU backend routes a tie to its first maximum");
  assertNotEquals(wasm, cpu, "the values must tell the kernels apart, or the test proves nothing");
  assertEquals(ours.filter((g) => g !== 0).length, 2 * 4 * 4 * 3, "one winner per window");
  assert(values.some((v, i) => i % 3 === 0 && v < 0), "negative values must occur, or the test proves nothing");
  assertThrows(
    () => maxPoolValid(tf.zeros([1, 3, 4, 1]) as tf.Tensor4D, 2),
    RangeError,
    "Pooling needs sides that are multiples of 2, got 3x4",
  );
});

Deno.test("dropoutMask() (c) drops each unit with probability 0.5 and scales the others by 2; the same seed gives the same mask", () => {
  const m = dropoutMask({ seed: 1, size: 100_000, rate: 0.5 });
  assert(m.every((v) => v === 0 || v === 2));
  const dropped = m.filter((v) => v === 0).length;
  assert(Math.abs(dropped - 50_000) < 4 * Math.sqrt(25_000), `${dropped} dropped`);
  assertEquals(dropoutMask({ seed: 1, size: 100_000, rate: 0.5 }), m);
  assertNotEquals(dropoutMask({ seed: 2, size: 100, rate: 0.5 }), m.subarray(0, 100));
  assertThrows(() => dropoutMask({ seed: 1, size: 1, rate: 1 }), RangeError, "Dropout rate must lie in [0, 1), got 1");
});

Deno.test("mnistLogits() (c) applies dropout in training only, with a mask fixed by (seed, iteration)", () => {
  const config = resolveMnistConfig({ ...small["mlp-dropout"], seed: 4 });
  const model = buildMnistModel(config);
  const x = tf.tensor2d(batch.x.subarray(0, 10 * 784), [10, 784]);
  const run = (iteration?: number) =>
    tf.tidy(() =>
      Array.from(
        mnistLogits(model, config, x, iteration === undefined ? {} : { training: { seed: 4, iteration } }).dataSync(),
      )
    );
  const inference = run();
  const asMlp = tf.tidy(() => Array.from(mnistLogits(model, { model: "mlp", dropoutRate: 0 }, x).dataSync()));
  assertEquals(inference, asMlp, "inference: no dropout");
  const t0 = run(0);
  assertNotEquals(t0, inference, "training: dropout");
  assertEquals(run(0), t0, "the same iteration's mask");
  assertNotEquals(run(1), t0, "another iteration's mask");
  x.dispose();
  model.dispose();
});

Deno.test("mnistStep() is bitwise reproducible from a seed, and leaks no tensor", () => {
  const steps = (overrides: MnistOverrides) => {
    const config = resolveMnistConfig({ ...overrides, seed: 9 });
    const model = buildMnistModel(config);
    const optimizer = makeMnistOptimizer(config);
    const results = [0, 1, 2].map((i) => mnistStep({ model, config, optimizer }, batch, i));
    const before = tf.memory().numTensors;
    results.push(mnistStep({ model, config, optimizer }, batch, 3));
    assertEquals(tf.memory().numTensors, before, `${config.model} leaks`);
    const weights = mnistVariables(model).map((r) => Array.from(r.variable.dataSync()));
    optimizer.dispose();
    model.dispose();
    return { results, weights };
  };
  for (const name of ["linear", "mlp-dropout", "cnn"]) {
    const first = steps(small[name]);
    assertEquals(steps(small[name]), first, name);
    assert(first.results[3].loss < first.results[0].loss, `${name}: the loss on a repeated batch must fall`);
  }
});
