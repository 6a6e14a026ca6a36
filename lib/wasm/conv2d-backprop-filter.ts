/**
 * Conv2DBackpropFilter for the wasm backend (stock wasm has none, so no conv
 * net can train there without it).
 *
 *   dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*sH + kh - padTop, ow*sW + kw - padLeft, ci] * dy[n,oh,ow,co]
 *
 * The sum is a stride-1 *forward* convolution, which XNNPACK does well: swap
 * batch and channels of x ([CI,H,W,N]) and use dy as the filter
 * ([OH,OW,N,CO]) with dilation = forward stride. The result is [CI,KH,KW,CO],
 * transposed to [KH,KW,CI,CO].
 *
 * (The obvious alternative, the stock native Conv3DBackpropFilterV2 kernel on
 * depth-1 views, is a scalar loop and gives wrong results for strides > 1 in
 * tfjs-backend-wasm 4.22, so it is not used.)
 */
import * as tf from "@tensorflow/tfjs";
import { convGeometry, spanH, spanW } from "./conv-info";
import { Scope, TensorInfo, backendOf, window2d } from "./util";

interface Args {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: unknown;
  attrs: tf.NamedAttrMap;
}

function geometry(args: Args) {
  const { x } = args.inputs;
  return convGeometry(x.shape, args.attrs.filterShape as number[], args.attrs);
}

export function conv2DBackpropFilter(args: Args): TensorInfo {
  const { x, dy } = args.inputs;
  const g = geometry(args);
  const s = new Scope(backendOf(args.backend));
  try {
    // Rows/cols of x beyond the forward conv's reach are cropped; missing ones
    // become explicit zero padding of the conv below (XNNPACK pads for free).
    const padBottom = spanH(g) - g.padTop - g.inH;
    const padRight = spanW(g) - g.padLeft - g.inW;
    let xc = x;
    if (padBottom < 0 || padRight < 0 || g.padTop < 0 || g.padLeft < 0) {
      xc = window2d(s, x, Math.min(g.padTop, 0), Math.min(g.padLeft, 0),
        g.inH + Math.min(g.padTop, 0) + Math.min(padBottom, 0),
        g.inW + Math.min(g.padLeft, 0) + Math.min(padRight, 0));
    }
    const xT = s.run("Transpose", { x: xc }, { perm: [3, 1, 2, 0] }); // [CI,H,W,N]
    const dyT = s.run("Transpose", { x: dy }, { perm: [1, 2, 0, 3] }); // [OH,OW,N,CO]
    const pt = Math.max(g.padTop, 0), pl = Math.max(g.padLeft, 0);
    const pb = Math.max(padBottom, 0), pr = Math.max(padRight, 0);
    const dwT = s.run("Conv2D", { x: xT, filter: dyT }, {
      strides: [1, 1],
      pad: [[0, 0], [pt, pb], [pl, pr], [0, 0]],
      dataFormat: "NHWC",
      dilations: [g.sH, g.sW],
    }); // [CI,KH,KW,CO]
    return s.keep(s.run("Transpose", { x: dwT }, { perm: [1, 2, 0, 3] }));
  } finally {
    s.dispose();
  }
}
