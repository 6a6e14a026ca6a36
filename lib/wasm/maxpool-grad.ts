/**
 * MaxPoolGrad for the wasm backend, replacing the stock kernel (~20 ms for a
 * 2x2 pool of 128x24x24x16; this JS loop on the wasm heap takes a few ms).
 *
 * Same semantics as tfjs's cpu kernel: within each pooling window the
 * gradient goes to the *first* maximum in row-major order (strict >, so ties
 * such as the all-zero windows after a ReLU send it to the top-left one);
 * windows with no finite maximum get none. Overlapping windows accumulate.
 */
import * as tf from "@tensorflow/tfjs";
import { TensorInfo, backendOf, heapF32, stockKernel, zerosOutput } from "./util";

interface Args {
  inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  backend: unknown;
  attrs: tf.NamedAttrMap;
}

export function maxPoolGrad(args: Args): TensorInfo {
  const { dy, input } = args.inputs;
  if (input.dtype !== "float32" || input.shape.length !== 4) return stockKernel("MaxPoolGrad")(args as never) as TensorInfo;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    args.attrs.filterSize as [number, number] | number,
    args.attrs.strides as [number, number] | number,
    1,
    args.attrs.pad as "valid" | "same" | number,
    args.attrs.dimRoundingMode as "floor" | "round" | "ceil" | undefined,
  );
  const backend = backendOf(args.backend);
  const dxInfo = zerosOutput(backend, input.shape.slice());
  const x = heapF32(backend, input), g = heapF32(backend, dy), dx = heapF32(backend, dxInfo);
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const fH = info.effectiveFilterHeight, fW = info.effectiveFilterWidth;
  const sH = info.strideHeight, sW = info.strideWidth;
  const pT = info.padInfo.top, pL = info.padInfo.left;
  if (fH === 2 && fW === 2 && sH === 2 && sW === 2 && pT === 0 && pL === 0 && 2 * OH <= H && 2 * OW <= W) {
    pool2x2Grad(x, g, dx, batchSize, H, W, C, OH, OW);
    return dxInfo;
  }
  for (let b = 0; b < batchSize; b++) {
    const xb = b * H * W * C;
    for (let oh = 0; oh < OH; oh++) {
      const r0 = oh * sH - pT;
      const rMin = Math.max(0, r0), rMax = Math.min(H, r0 + fH);
      for (let ow = 0; ow < OW; ow++) {
        const c0 = ow * sW - pL;
        const cMin = Math.max(0, c0), cMax = Math.min(W, c0 + fW);
        const gOff = ((b * OH + oh) * OW + ow) * C;
        for (let ch = 0; ch < C; ch++) {
          let best = -Infinity, at = -1;
          for (let r = rMin; r < rMax; r++) {
            for (let col = cMin; col < cMax; col++) {
              const i = xb + (r * W + col) * C + ch;
              const v = x[i];
              if (v > best) { best = v; at = i; }
            }
          }
          if (at >= 0) dx[at] += g[gOff + ch];
        }
      }
    }
  }
  return dxInfo;
}

/**
 * The common 2x2, stride-2, unpadded case (SmallCNN's pools) unrolled: the
 * four candidates of a window in row-major order, the first strict maximum
 * over -Infinity wins, exactly as the general loop above (~2x faster).
 */
function pool2x2Grad(x: Float32Array, g: Float32Array, dx: Float32Array, batch: number, H: number, W: number, C: number, OH: number, OW: number): void {
  const row = W * C;
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const top = (b * H + 2 * oh) * row;
      let gOff = ((b * OH + oh) * OW) * C;
      for (let ow = 0; ow < OW; ow++, gOff += C) {
        const i0 = top + 2 * ow * C;
        for (let ch = 0; ch < C; ch++) {
          const a = i0 + ch, bb = a + C, c = a + row, d = c + C;
          let best = -Infinity, at = -1;
          let v = x[a];
          if (v > best) { best = v; at = a; }
          v = x[bb];
          if (v > best) { best = v; at = bb; }
          v = x[c];
          if (v > best) { best = v; at = c; }
          v = x[d];
          if (v > best) { at = d; }
          if (at >= 0) dx[at] = g[gOff + ch];
        }
      }
    }
  }
}
