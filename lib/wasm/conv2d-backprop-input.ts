/**
 * Conv2DBackpropInput for the wasm backend, replacing the stock kernel (a
 * scalar loop) with XNNPACK's forward convolution.
 *
 * dx is the "full" correlation of dy with the filter rotated by 180 degrees
 * and its in/out channels swapped ([KH,KW,CO,CI]). For stride s > 1, dy is
 * first dilated with s-1 zeros between its rows/cols (a reshape + zero pad,
 * cheap next to the conv). With dy' of height Hd = (OH-1)*s + 1, a stride-1
 * conv with top pad KH-1-padTop and bottom pad H - Hd - top + KH - 1 gives
 * exactly H rows (same for cols); the trailing zero rows the dilation leaves
 * simply count towards the bottom pad.
 */
import * as tf from "@tensorflow/tfjs";
import { convGeometry } from "./conv-info";
import { Scope, TensorInfo, backendOf, view, window2d } from "./util";

interface Args {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: unknown;
  attrs: tf.NamedAttrMap;
}

export function conv2DBackpropInputFast(args: Args): TensorInfo {
  const { dy, filter } = args.inputs;
  const inShape = args.attrs.inputShape as number[];
  const g = convGeometry(inShape, filter.shape, args.attrs);
  const s = new Scope(backendOf(args.backend));
  try {
    // Filter: flip spatially, swap channels -> [KH,KW,CO,CI].
    const flipped = s.run("Reverse", { x: filter }, { dims: [0, 1] });
    const wT = s.run("Transpose", { x: flipped }, { perm: [0, 1, 3, 2] });

    let d = dy;
    if (g.sH > 1 || g.sW > 1) {
      // [N,OH,1,OW,1,C] padded to [N,OH,sH,OW,sW,C] = dy with zeros after each row/col.
      const d6 = s.run("PadV2", { x: view(dy, [g.batch, g.outH, 1, g.outW, 1, g.outC]) }, {
        paddings: [[0, 0], [0, 0], [0, g.sH - 1], [0, 0], [0, g.sW - 1], [0, 0]],
        constantValue: 0,
      });
      d = view(d6, [g.batch, g.outH * g.sH, g.outW * g.sW, g.outC]);
    }
    let top = g.kH - 1 - g.padTop, left = g.kW - 1 - g.padLeft;
    // A 'valid' stride-1 conv with a KHxKW filter needs H+KH-1 input rows;
    // d holds dH rows of dilated dy plus (for s > 1) s-1 trailing zero rows.
    const rows = g.inH + g.kH - 1, cols = g.inW + g.kW - 1;
    let bottom = rows - top - d.shape[1], right = cols - left - d.shape[2];
    if (top < 0 || left < 0 || bottom < 0 || right < 0) {
      // Pads larger than the filter, or rows the forward conv never reached
      // (stride > 1): materialise the window and run the conv unpadded.
      d = window2d(s, d, top, left, rows, cols);
      top = left = bottom = right = 0;
    }
    const dx = s.run("Conv2D", { x: d, filter: wT }, {
      strides: [1, 1],
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dataFormat: "NHWC",
      dilations: [1, 1],
    });
    return s.keep(dx);
  } finally {
    s.dispose();
  }
}
