/**
 * Geometry shared by the conv backprop kernels (NHWC only, dilation 1 in the
 * forward conv, as tfjs's Conv2D gradient requires).
 */
import * as tf from "@tensorflow/tfjs";

export interface ConvGeometry {
  batch: number;
  inH: number; inW: number; inC: number;
  outH: number; outW: number; outC: number;
  kH: number; kW: number;
  sH: number; sW: number;
  /** Zero rows/cols the forward conv puts before the input (tfjs's padInfo.top/left). */
  padTop: number; padLeft: number;
}

export function convGeometry(
  inShape: readonly number[],
  filterShape: readonly number[],
  attrs: tf.NamedAttrMap,
): ConvGeometry {
  const dataFormat = (attrs.dataFormat as string | undefined) ?? "NHWC";
  if (dataFormat !== "NHWC" && dataFormat !== "channelsLast") {
    throw new Error(`kit wasm conv kernels support NHWC only, got dataFormat '${dataFormat}'`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as [number, number] | number,
    1,
    attrs.pad as "valid" | "same" | number | tf.backend_util.ExplicitPadding,
    attrs.dimRoundingMode as "floor" | "round" | "ceil" | undefined,
    false,
    "channelsLast",
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight, inW: info.inWidth, inC: info.inChannels,
    outH: info.outHeight, outW: info.outWidth, outC: info.outChannels,
    kH: info.filterHeight, kW: info.filterWidth,
    sH: info.strideHeight, sW: info.strideWidth,
    padTop: info.padInfo.top, padLeft: info.padInfo.left,
  };
}

/** Input rows (cols) the forward conv reads, counting from -padTop: (out-1)*stride + k. */
export function spanH(g: ConvGeometry): number { return (g.outH - 1) * g.sH + g.kH; }
export function spanW(g: ConvGeometry): number { return (g.outW - 1) * g.sW + g.kW; }
