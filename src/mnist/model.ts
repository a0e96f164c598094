/**
 * The four networks of exercise H6.1 in tf.layers, their training forward pass, and one training
 * step on the tfjs WASM backend.
 *
 * The tf.layers model holds the weights, counts them, predicts (`model.predict`, softmax output)
 * and is what gets saved. Training runs its own forward pass on the same variables, for three
 * reasons, each tested in tests/mnist_model_test.ts:
 * - the WASM backend of tfjs 4.22 has no `Conv2DBackpropFilter` kernel, so autodiff through
 *   `tf.conv2d` fails; the convolution ({@link conv2dSame}) runs forward on the backend's `Conv2D`
 *   with its gradients written out: the kernel's as one more `Conv2D` (or, for the images, one product
 *   with the transposed patch matrix), the input's as the convolution with the rotated kernel, the
 *   bias and the ReLU in loops over the WASM heap. `MaxPoolGrad` exists on WASM but loses the gradient
 *   of windows without a positive value and keeps the last of tied maxima, so pooling's gradient is
 *   written out too ({@link maxPoolValid});
 * - tfjs's own matMul gradient multiplies with `transposeA`/`transposeB` set, which the WASM backend
 *   runs on a scalar fallback about 10x slower than XNNPACK (measured here: README, "Which model learns the sum?"); the
 *   products here transpose explicitly, and skip the gradient of data (the images);
 * - tf.layers' Dropout draws its masks from tfjs's generator; here every mask comes from the project's
 *   seeded stream per (seed, iteration, layer), so a run is reproducible bit for bit and resumable.
 * @module
 */
import { tf } from "../train/backend.ts";
import { heap } from "../train/fast.ts";
import { createRng, deriveSeed } from "../core/rng.ts";
import { truncatedNormal } from "./init.ts";
import { argmaxRows } from "./scores.ts";
import { H61, type MnistConfig } from "./spec.ts";

/** The config fields that shape a network. */
export type ModelShape = Pick<
  MnistConfig,
  "model" | "seed" | "hiddenLayers" | "hiddenUnits" | "dropoutRate" | "filters" | "initSd" | "biasInit"
>;

/**
 * Builds a network of H6.1 with its initialisation: (a) zeros; (b)–(d) every kernel from the
 * truncated normal ({@link truncatedNormal}, seeded per layer from `seed`), every bias `biasInit`.
 * Input `[N, 784]` grey values, output `[N, 10]` softmax probabilities.
 *
 * - linear: `output` Dense(10, softmax) — h = W x + b, the exercise's W x − θ with θ = −b;
 * - mlp: `hidden1..L` Dense(units, relu), `output` Dense(10, softmax);
 * - mlp-dropout: the same with `dropout1..L` Dropout(rate) after each hidden layer;
 * - cnn: Reshape [28, 28, 1], `conv1` Conv2D(f1, 5x5, same, relu), `pool1` MaxPool 2x2/2, `conv2`
 *   Conv2D(f2, 5x5, same, relu), `pool2`, Flatten (7·7·f2, order h, w, c), `output` Dense(10, softmax).
 *
 * @param config The model and its sizes, seed and initialisation.
 * @returns A tf.layers model; the caller disposes it.
 */
export function buildMnistModel(config: ModelShape): tf.LayersModel {
  const P = H61.pixels;
  const side = H61.imageSide;
  const layers: tf.layers.Layer[] = [];
  const dense = (name: string, units: number, activation: "relu" | "softmax", inputShape?: number[]) =>
    tf.layers.dense({
      name,
      units,
      activation,
      kernelInitializer: "zeros",
      biasInitializer: tf.initializers.constant({ value: config.biasInit }),
      ...(inputShape ? { inputShape } : {}),
    });
  switch (config.model) {
    case "linear":
      layers.push(dense("output", H61.classes, "softmax", [P]));
      break;
    case "mlp":
    case "mlp-dropout":
      for (let k = 1; k <= config.hiddenLayers; k++) {
        layers.push(dense(`hidden${k}`, config.hiddenUnits, "relu", k === 1 ? [P] : undefined));
        if (config.model === "mlp-dropout") {
          layers.push(tf.layers.dropout({ name: `dropout${k}`, rate: config.dropoutRate }));
        }
      }
      layers.push(dense("output", H61.classes, "softmax"));
      break;
    case "cnn":
      layers.push(tf.layers.reshape({ name: "image", targetShape: [side, side, 1], inputShape: [P] }));
      config.filters.forEach((filters, i) => {
        layers.push(
          tf.layers.conv2d({
            name: `conv${i + 1}`,
            filters,
            kernelSize: H61.cnn.kernelSize,
            strides: H61.cnn.stride,
            padding: H61.cnn.padding,
            activation: "relu",
            kernelInitializer: "zeros",
            biasInitializer: tf.initializers.constant({ value: config.biasInit }),
          }),
          tf.layers.maxPooling2d({
            name: `pool${i + 1}`,
            poolSize: H61.cnn.poolSize,
            strides: H61.cnn.poolStride,
            padding: "valid",
          }),
        );
      });
      layers.push(tf.layers.flatten({ name: "flatten" }), dense("output", H61.classes, "softmax"));
      break;
  }
  const model = tf.sequential({ name: `mnist_${config.model.replace("-", "_")}`, layers });
  if (config.initSd > 0) {
    tf.tidy(() => {
      for (const { role, variable } of mnistVariables(model)) {
        if (!role.endsWith("/kernel")) continue;
        const size = variable.shape.reduce((a, b) => a * b, 1);
        const seed = deriveSeed(config.seed, "mnist-init", role);
        variable.assign(tf.tensor(truncatedNormal({ size, seed, sd: config.initSd }), variable.shape));
      }
    });
  }
  return model;
}

/** A trainable variable with its role: the layer-qualified weight name, e.g. `conv1/kernel`. */
export interface RoleVariable {
  /** `LAYER/kernel` or `LAYER/bias`. */
  role: string;
  /** The live variable. */
  variable: tf.Variable;
}

/**
 * A model's trainable variables with their roles, in the optimizer's order (input to output).
 *
 * @param model A model from {@link buildMnistModel}.
 * @returns The live variables.
 * @throws {Error} A trainable weight that is not a variable.
 */
export function mnistVariables(model: tf.LayersModel): RoleVariable[] {
  return model.trainableWeights.map((w, i) => {
    const variable = w.read();
    if (!(variable instanceof tf.Variable)) throw new Error(`Trainable weight ${i} is not a variable`);
    return { role: w.originalName, variable };
  });
}

/**
 * a · b with a gradient that transposes explicitly: da = dy · bᵀ, db = aᵀ · dy. (tfjs's own
 * gradient sets matMul's transpose flags, which the WASM backend runs about 10x slower.)
 *
 * @param a `[M, K]`.
 * @param b `[K, N]`.
 * @returns `[M, N]`.
 */
export function matMulT(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: tf.Tensor, [sa, sb]: tf.Tensor[]) => [
        tf.matMul(dy as tf.Tensor2D, tf.transpose(sb as tf.Tensor2D)),
        tf.matMul(tf.transpose(sa as tf.Tensor2D), dy as tf.Tensor2D),
      ],
    };
  });
  return op(a, b) as tf.Tensor2D;
}

/**
 * x · w where x is data: the gradient flows to w alone, dw = xᵀ · dy, transposed explicitly; none is
 * computed for x (it would cost as much as the forward product, for nothing).
 *
 * @param x Data, `[M, K]`; no gradient.
 * @param w `[K, N]`.
 * @returns `[M, N]`.
 */
export function matMulData(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [w, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    save([x]); // kept for the backward pass: x may be an intermediate the forward scope would free
    return {
      value: tf.matMul(x, w),
      gradFunc: (dy: tf.Tensor, [sx]: tf.Tensor[]) => [tf.matMul(tf.transpose(sx as tf.Tensor2D), dy as tf.Tensor2D)],
    };
  });
  return op(w) as tf.Tensor2D;
}

/** Throws unless k is an odd positive integer (a 'same' window centred on its pixel). */
function checkKernelSide(k: number): void {
  if (!Number.isInteger(k) || k < 1 || k % 2 === 0) {
    throw new RangeError(`Kernel side must be an odd positive integer, got ${k}`);
  }
}

/**
 * The patches of a 'same' convolution with stride 1 (im2col): for every pixel, the k×k window
 * around it, all channels, zero outside the image. Forward and backward (col2im: each patch value's
 * gradient added back to its pixel) are plain loops over zero-copy views of the WASM heap, as in
 * src/train/fast.ts: built from tfjs ops instead (k² slices of the padded input, stacked), the
 * gradient of the stack (Unpack) alone took 1.3 s per batch at the second layer's size.
 * Training no longer goes through it ({@link conv2dSame} runs on the backend's `Conv2D`); it defines the
 * order of the kernel's rows, and it is the reference the tests hold the convolution to.
 *
 * @param x Images, `[B, H, W, C]`, on the WASM backend.
 * @param k The (odd) kernel side.
 * @returns Patches `[B·H·W, k·k·C]`, column (dy·k + dx)·C + c: the layout of a `[k, k, C, F]` kernel reshaped to `[k·k·C, F]`.
 * @throws {RangeError} An even or non-positive k.
 */
export function im2col(x: tf.Tensor4D, k: number): tf.Tensor2D {
  checkKernelSide(k);
  const [B, H, W, C] = x.shape;
  const half = (k - 1) / 2;
  const K = k * k * C;
  /** Calls `visit(patchOffset, pixelOffset, n)` for every run of n = C values a patch row copies from a pixel. */
  const walk = (visit: (patch: number, pixel: number) => void) => {
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        for (let w = 0; w < W; w++) {
          const row = ((b * H + h) * W + w) * K;
          for (let dy = 0; dy < k; dy++) {
            const yy = h + dy - half;
            if (yy < 0 || yy >= H) continue; // zero padding: the patch keeps its zeros
            for (let dx = 0; dx < k; dx++) {
              const xx = w + dx - half;
              if (xx < 0 || xx >= W) continue;
              visit(row + (dy * k + dx) * C, ((b * H + yy) * W + xx) * C);
            }
          }
        }
      }
    }
  };
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor4D;
    const patches = heapZeros([B * H * W, K]); // [B·H·W, k·k·C]
    const out = heap(patches);
    const src = heap(input);
    walk((patch, pixel) => {
      for (let c = 0; c < C; c++) out[patch + c] = src[pixel + c];
    });
    return {
      value: patches,
      gradFunc: (dy: tf.Tensor) => {
        const dx = heapZeros([B, H, W, C]); // [B, H, W, C]
        const acc = heap(dx);
        const g = heap(dy);
        walk((patch, pixel) => {
          for (let c = 0; c < C; c++) acc[pixel + c] += g[patch + c];
        });
        return [dx];
      },
    };
  });
  return op(x) as tf.Tensor2D;
}

/**
 * A float32 tensor of zeros made on the WASM heap by tfjs's `Fill` kernel. `tf.zeros` builds the zeros
 * as a new JS array and copies it onto the heap; on this project's 2-core machine that copy took 300–350 ms
 * for the second layer's 62 MB patch matrix (a third of the step), against 4 ms for the fill.
 */
function heapZeros(shape: number[]): tf.Tensor {
  return tf.fill(shape, 0, "float32");
}

/**
 * The transposed patch matrix of {@link im2col}, built directly: row (dy·k + dx)·C + c holds, for every
 * pixel, the value of channel c at offset (dy, dx) of its window (zero outside the image). Every row
 * is the channel's image planes shifted, so the loop copies contiguous runs of a row of pixels, and the
 * product Pᵀ · g needs no transpose of P. No gradient: it feeds {@link convKernelGrad}.
 *
 * @param x Images, `[B, H, W, C]`, on the WASM backend.
 * @param k The (odd) kernel side.
 * @returns `[k·k·C, B·H·W]`, equal to `tf.transpose(im2col(x, k))`.
 * @throws {RangeError} An even or non-positive k.
 */
export function im2colT(x: tf.Tensor4D, k: number): tf.Tensor2D {
  checkKernelSide(k);
  const [B, H, W, C] = x.shape;
  const half = (k - 1) / 2;
  const N = B * H * W;
  return tf.tidy(() => {
    const planes = C === 1 ? x : tf.transpose(x, [3, 0, 1, 2]); // [C, B, H, W]
    const patches = heapZeros([k * k * C, N]) as tf.Tensor2D; // [k·k·C, B·H·W]
    const out = heap(patches);
    const src = heap(planes);
    for (let dy = 0; dy < k; dy++) {
      for (let dx = 0; dx < k; dx++) {
        const shift = dx - half;
        const w0 = Math.max(0, -shift); // the pixels w whose neighbour w + shift lies inside the row
        const w1 = Math.min(W, W - shift);
        for (let c = 0; c < C; c++) {
          const row = ((dy * k + dx) * C + c) * N;
          for (let b = 0; b < B; b++) {
            for (let h = 0; h < H; h++) {
              const yy = h + dy - half;
              if (yy < 0 || yy >= H) continue; // zero padding: the row keeps its zeros
              const to = row + (b * H + h) * W;
              const from = ((c * B + b) * H + yy) * W + shift;
              for (let w = w0; w < w1; w++) out[to + w] = src[from + w];
            }
          }
        }
      }
    }
    return patches;
  });
}

/**
 * The gradient of a 'same', stride-1 convolution's kernel: dW[dy, dx, c, f] = Σ over b, h, w of
 * x[b, h + dy − half, w + dx − half, c] · g[b, h, w, f], which is Pᵀ · g with P = {@link im2col}(x).
 * Two ways to the same sum, by shape:
 * - C > 1: as a convolution itself, on the backend's `Conv2D` (XNNPACK): x with its batch and channel
 *   axes swapped, `[C, H, W, B]`, convolved with g as a kernel `[H, W, B, F]`, padding half, gives
 *   `[C, k, k, F]`. No patch matrix (62 MB at the second layer): the whole step measured about 6 %
 *   faster than with Pᵀ from {@link im2colT} and one product;
 * - C = 1 (the images): that convolution has only k² = 25 output rows and measured about 3x slower
 *   than the product; Pᵀ is small here (`[25, B·H·W]`), so Pᵀ · g is one product.
 *
 * @param x The layer's input, `[B, H, W, C]`.
 * @param g The gradient of the layer's output before the bias, `[B, H, W, F]`.
 * @param k The (odd) kernel side.
 * @returns `[k, k, C, F]`.
 * @throws {RangeError} An even or non-positive k.
 */
export function convKernelGrad(x: tf.Tensor4D, g: tf.Tensor4D, k: number): tf.Tensor4D {
  checkKernelSide(k);
  const [, , , C] = x.shape;
  const F = g.shape[3];
  return tf.tidy(() => {
    if (C === 1) {
      return tf.reshape(tf.matMul(im2colT(x, k), tf.reshape(g, [-1, F]) as tf.Tensor2D), [k, k, C, F]) as tf.Tensor4D;
    }
    const xs = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D; // [C, H, W, B]
    const gs = tf.transpose(g, [1, 2, 0, 3]) as tf.Tensor4D; // [H, W, B, F]
    const dw = tf.conv2d(xs, gs, 1, (k - 1) / 2); // [C, k, k, F]
    return tf.transpose(dw, [1, 2, 0, 3]) as tf.Tensor4D; // [k, k, C, F]
  });
}

/** Options of {@link conv2dSame}. */
export interface Conv2dSameOptions {
  /** x is data (the network's input): no gradient is computed for it. */
  data?: boolean;
  /** Apply the ReLU too, in the same pass as the bias (and its gradient in the same pass as the bias's). */
  relu?: boolean;
}

/**
 * A 'same', stride-1 convolution with bias (and optionally the ReLU), as `tf.conv2d` plus the bias,
 * with its gradients written out, since the WASM backend has no `Conv2DBackpropFilter`:
 * - forward: the backend's `Conv2D` (XNNPACK's indirect GEMM, no patch matrix; bit for bit the im2col
 *   product this file used before), then the bias and the ReLU in one loop over the heap, in place;
 * - backward: one loop turns the output's gradient into g, the gradient before the bias (zero where the
 *   ReLU was), and sums g per map into the bias's gradient (in float64); the kernel's gradient is
 *   {@link convKernelGrad}; the input's gradient is the 'same' convolution of g with the kernel rotated
 *   by 180° and its channel axes swapped (the transposed convolution of a stride-1 'same' one with an
 *   odd side), on `Conv2D` again.
 *
 * @param x Images `[B, H, W, C]`, on the WASM backend.
 * @param kernel `[k, k, C, F]`.
 * @param bias `[F]`.
 * @param options `data`: no gradient for x; `relu`: apply the ReLU.
 * @returns `[B, H, W, F]`: before the activation, or after it with `relu`.
 * @throws {RangeError} An even or non-positive kernel side.
 */
export function conv2dSame(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D,
  options: Conv2dSameOptions = {},
): tf.Tensor4D {
  const [k, , , F] = kernel.shape;
  checkKernelSide(k);
  const relu = options.relu ?? false;
  const forward = (input: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D) => {
    const y = tf.conv2d(input, w, 1, "same"); // [B, H, W, F]; made here and not yet shared, so written in place
    const out = heap(y);
    const add = heap(b);
    for (let i = 0; i < out.length; i += F) {
      for (let f = 0; f < F; f++) {
        const z = out[i + f] + add[f]; // float64, rounded once on the store: the float32 sum tf.add gives
        out[i + f] = relu && z < 0 ? 0 : z;
      }
    }
    return y;
  };
  /** g (the gradient before the bias) and the gradients of the kernel and the bias, from dy. */
  const backward = (dy: tf.Tensor, y: tf.Tensor, input: tf.Tensor4D): [tf.Tensor4D, tf.Tensor, tf.Tensor] => {
    const g = heapZeros(dy.shape) as tf.Tensor4D; // [B, H, W, F]
    const gv = heap(g);
    const dv = heap(dy);
    const yv = heap(y);
    const sums = new Float64Array(F);
    for (let i = 0; i < gv.length; i += F) {
      for (let f = 0; f < F; f++) {
        if (relu && !(yv[i + f] > 0)) continue; // tf.relu's gradient: dy · step(z), 0 at z = 0
        gv[i + f] = dv[i + f];
        sums[f] += dv[i + f];
      }
    }
    return [g, convKernelGrad(input, g, k), tf.tensor1d(Float32Array.from(sums))];
  };
  if (options.data) {
    const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [w, b, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.GradSaveFunc];
      const y = forward(x, w, b);
      save([x, y]); // x too: it may be an intermediate the forward scope would free
      return {
        value: y,
        gradFunc: (dy: tf.Tensor, [sx, sy]: tf.Tensor[]) => backward(dy, sy, sx as tf.Tensor4D).slice(1) as tf.Tensor[],
      };
    });
    return op(kernel, bias) as tf.Tensor4D;
  }
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, w, b, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.GradSaveFunc];
    const y = forward(input, w, b);
    save([input, w, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [sx, sw, sy]: tf.Tensor[]) => {
        const [g, dw, db] = backward(dy, sy, sx as tf.Tensor4D);
        // [k, k, F, C]: rotated by 180° in space, input and output channels swapped
        const back = tf.transpose(tf.reverse(sw, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
        return [tf.conv2d(g, back, 1, "same"), dw, db]; // dx: [B, H, W, C]
      },
    };
  });
  return op(x, kernel, bias) as tf.Tensor4D;
}

/**
 * Max-pooling over k×k windows with stride k ('valid'), as `tf.maxPool`, with a gradient that goes to
 * the first maximum of each window (row-major), as tfjs's CPU backend and TensorFlow route it. The WASM
 * backend's `MaxPoolGrad` (tfjs 4.22) starts its search at `numeric_limits<float>::min()`, the smallest
 * positive float, so a window with no positive value passes no gradient, and it keeps the last of tied
 * maxima; tests/mnist_model_test.ts pins both.
 *
 * @param x `[B, H, W, C]`, H and W multiples of k, on the WASM backend.
 * @param k The window side and stride.
 * @returns `[B, H/k, W/k, C]`.
 * @throws {RangeError} H or W not a multiple of k.
 */
export function maxPoolValid(x: tf.Tensor4D, k: number): tf.Tensor4D {
  const [B, H, W, C] = x.shape;
  if (H % k !== 0 || W % k !== 0) throw new RangeError(`Pooling needs sides that are multiples of ${k}, got ${H}x${W}`);
  const Ho = H / k;
  const Wo = W / k;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    const pooled = tf.maxPool(input, k, k, "valid"); // [B, Ho, Wo, C]
    save([input, pooled]);
    return {
      value: pooled,
      gradFunc: (dy: tf.Tensor, [saved, max]: tf.Tensor[]) => {
        const dx = heapZeros([B, H, W, C]); // [B, H, W, C]
        const out = heap(dx);
        const xv = heap(saved);
        const mv = heap(max);
        const g = heap(dy);
        // the first position (row-major) that holds the window's maximum: one equality test per value
        // instead of a running maximum, whose unpredictable branches cost a third more here
        let o = 0; // ((b·Ho + i)·Wo + j)·C + c, the pooled value's index
        for (let b = 0; b < B; b++) {
          for (let i = 0; i < Ho; i++) {
            for (let j = 0; j < Wo; j++) {
              const top = ((b * H + i * k) * W + j * k) * C; // the window's first pixel
              for (let c = 0; c < C; c++, o++) {
                let first = top + c; // kept when no value equals the maximum (a NaN)
                search: for (let u = 0; u < k; u++) {
                  for (let v = 0; v < k; v++) {
                    const at = top + (u * W + v) * C + c;
                    if (xv[at] === mv[o]) {
                      first = at;
                      break search;
                    }
                  }
                }
                out[first] = g[o]; // windows do not overlap (stride k): each pixel gets one value at most
              }
            }
          }
        }
        return [dx];
      },
    };
  });
  return op(x) as tf.Tensor4D;
}

/** Options of {@link dropoutMask}. */
export interface DropoutMaskOptions {
  /** Seed of the mask's stream. */
  seed: number;
  /** Values in the mask. */
  size: number;
  /** The share dropped, in [0, 1). */
  rate: number;
}

/**
 * An inverted-dropout mask: each value is 0 with probability `rate`, else 1 / (1 − rate), so the
 * layer's expected output is unchanged and inference needs no scaling (as `tf.dropout`).
 *
 * @param options Seed, size, rate.
 * @returns Float32 values, shape `[size]`.
 * @throws {RangeError} A rate outside [0, 1).
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * const m = dropoutMask({ seed: 1, size: 8, rate: 0.5 });
 * assertEquals(new Set(m).size <= 2 && m.every((v) => v === 0 || v === 2), true);
 * ```
 */
export function dropoutMask(options: DropoutMaskOptions): Float32Array {
  const { seed, size, rate } = options;
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`Dropout rate must lie in [0, 1), got ${rate}`);
  const rng = createRng(seed);
  const keep = 1 / (1 - rate);
  const mask = new Float32Array(size);
  for (let i = 0; i < size; i++) mask[i] = rng.nextFloat() < rate ? 0 : keep;
  return mask;
}

/** Options of {@link mnistLogits}. */
export interface ForwardOptions {
  /** Training: dropout is applied (mlp-dropout). Absent: inference. */
  training?: {
    /** The run's seed. */
    seed: number;
    /** The iteration (0-based); each iteration and layer has its own mask. */
    iteration: number;
  };
}

/**
 * The training forward pass on the model's own variables: the logits (the softmax's argument).
 * Differentiable with the kernels the WASM backend has ({@link conv2dSame}, {@link matMulT}).
 *
 * @param model A model from {@link buildMnistModel}.
 * @param config Its shape (model, dropout rate).
 * @param x Images, `[B, 784]`, data.
 * @param options With `training`, dropout with seeded masks.
 * @returns Logits, `[B, 10]`.
 */
export function mnistLogits(
  model: tf.LayersModel,
  config: Pick<MnistConfig, "model" | "dropoutRate">,
  x: tf.Tensor2D,
  options: ForwardOptions = {},
): tf.Tensor2D {
  const w = new Map(mnistVariables(model).map((r) => [r.role, r.variable]));
  const get = <T extends tf.Tensor>(role: string) => {
    const v = w.get(role);
    if (!v) throw new Error(`The model has no weight "${role}"`);
    return v as unknown as T;
  };
  const B = x.shape[0];
  const out = (h: tf.Tensor2D, data: boolean) => {
    const kernel = get<tf.Tensor2D>("output/kernel");
    return tf.add(data ? matMulData(h, kernel) : matMulT(h, kernel), get("output/bias")) as tf.Tensor2D;
  };
  switch (config.model) {
    case "linear":
      return out(x, true);
    case "mlp":
    case "mlp-dropout": {
      let h = x;
      for (let k = 1; w.has(`hidden${k}/kernel`); k++) {
        const kernel = get<tf.Tensor2D>(`hidden${k}/kernel`);
        h = tf.relu(tf.add(k === 1 ? matMulData(h, kernel) : matMulT(h, kernel), get(`hidden${k}/bias`))); // [B, units]
        if (options.training && config.dropoutRate > 0) {
          const seed = deriveSeed(options.training.seed, "mnist-dropout", options.training.iteration, k);
          const mask = dropoutMask({ seed, size: h.size, rate: config.dropoutRate });
          h = tf.mul(h, tf.tensor2d(mask, h.shape));
        }
      }
      return out(h, false);
    }
    case "cnn": {
      const side = H61.imageSide;
      let h: tf.Tensor4D = tf.reshape(x, [B, side, side, 1]);
      for (let k = 1; w.has(`conv${k}/kernel`); k++) {
        const options = { data: k === 1, relu: true };
        const conv = conv2dSame(h, get(`conv${k}/kernel`), get(`conv${k}/bias`), options); // [B, s, s, F], after ReLU
        h = maxPoolValid(conv, H61.cnn.poolSize); // [B, s/2, s/2, F]
      }
      return out(tf.reshape(h, [B, -1]), false); // [B, 7·7·F] in h, w, c order, as Flatten
    }
  }
}

/** Images with their labels, a batch or a whole split. */
export interface LabelledImages {
  /** Grey values, `[size, 784]`. */
  x: Float32Array;
  /** Digits 0..9, `[size]`. */
  y: Uint8Array;
  /** Number of images. */
  size: number;
}

/** Everything a step reads and updates. */
export interface MnistStepState {
  /** The network. */
  model: tf.LayersModel;
  /** The run's config (model, dropout, seed). */
  config: Pick<MnistConfig, "model" | "dropoutRate" | "seed">;
  /** The optimizer, SGD for (a) and Adam for (b)–(d). */
  optimizer: tf.Optimizer;
}

/** What a step reports of its batch, from the weights before the update. */
export interface MnistStepResult {
  /** Mean softmax cross-entropy over the batch. */
  loss: number;
  /** Share of the batch classified right (by the training forward pass, dropout included). */
  accuracy: number;
}

/**
 * One training iteration: the batch's softmax cross-entropy and its gradients by autodiff through
 * {@link mnistLogits}, then one optimizer update.
 *
 * @param state The network, the config and the optimizer.
 * @param batch The images and labels.
 * @param iteration The iteration, 0-based (it seeds the dropout masks).
 * @returns The loss and accuracy of the batch before the update.
 */
export function mnistStep(state: MnistStepState, batch: LabelledImages, iteration: number): MnistStepResult {
  const roles = mnistVariables(state.model);
  let logits: Float32Array = new Float32Array(0);
  const { grads, value } = tf.tidy(() => {
    const x = tf.tensor2d(batch.x, [batch.size, H61.pixels]);
    const labels = tf.oneHot(tf.tensor1d(batch.y, "int32"), H61.classes); // [B, 10]
    return tf.variableGrads(() => {
      const z = mnistLogits(state.model, state.config, x, { training: { seed: state.config.seed, iteration } });
      logits = z.dataSync() as Float32Array;
      return tf.losses.softmaxCrossEntropy(labels, z) as tf.Scalar; // mean over the batch
    }, roles.map((r) => r.variable));
  });
  const loss = value.dataSync()[0];
  value.dispose();
  // in the variables' order, so that Adam's moments (kept by position) always line up
  state.optimizer.applyGradients(roles.map((r) => ({ name: r.variable.name, tensor: grads[r.variable.name] })));
  tf.dispose(Object.values(grads));
  return { loss, accuracy: accuracyOf(batch.y, logits) };
}

/**
 * Accuracy: the share of rows whose largest score is at the label.
 *
 * @param labels `[n]` digits.
 * @param scores `[n, 10]`.
 * @returns In [0, 1].
 */
export function accuracyOf(labels: ArrayLike<number>, scores: Float32Array): number {
  const predicted = argmaxRows(scores);
  let right = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[i]) right++;
  return right / predicted.length;
}

/**
 * Softmax probabilities of many images by `model.predict` (no dropout), in chunks.
 *
 * @param model The network.
 * @param x Images, `[n, 784]`.
 * @param chunk Images per forward pass.
 * @returns `[n, 10]` probabilities.
 */
export function predictMnist(model: tf.LayersModel, x: Float32Array, chunk = 500): Float32Array {
  const n = x.length / H61.pixels;
  const out = new Float32Array(n * H61.classes);
  for (let start = 0; start < n; start += chunk) {
    const size = Math.min(chunk, n - start);
    tf.tidy(() => {
      const xs = tf.tensor2d(x.subarray(start * H61.pixels, (start + size) * H61.pixels), [size, H61.pixels]);
      out.set((model.predict(xs) as tf.Tensor).dataSync(), start * H61.classes);
    });
  }
  return out;
}
