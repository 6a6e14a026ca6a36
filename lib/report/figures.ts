/**
 * Plotly figure specs (data + layout) built in the library and tested as
 * data; rendering happens in the notebook front end or in a standalone HTML
 * file (see html.ts). plotly.js itself cannot run in Node.
 */
import { MeanStd } from "./stats";

export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

export interface BarSeries {
  name: string;
  /** One value per category, as a fraction; null where there is none. */
  values: (MeanStd | null)[];
  /** Paper numbers are drawn hatched. */
  paper?: boolean;
}

/** Grouped bars (percent) with ± std error bars, one group per category. */
export function groupedBarFigure(title: string, categories: readonly string[], series: readonly BarSeries[], yTitle = "accuracy (%)"): PlotlyFigure {
  return {
    data: series.map((s) => ({
      type: "bar",
      name: s.name,
      x: [...categories],
      y: s.values.map((v) => (v ? 100 * v.mean : null)),
      error_y: { type: "data", array: s.values.map((v) => (v && v.n > 1 ? 100 * v.std : 0)), visible: !s.paper },
      text: s.values.map((v) => (v ? (100 * v.mean).toFixed(1) : "")),
      textposition: "outside",
      ...(s.paper ? { marker: { pattern: { shape: "/" }, opacity: 0.6 } } : {}),
    })),
    layout: {
      title: { text: title },
      barmode: "group",
      yaxis: { title: { text: yTitle }, range: [0, 112] },
      legend: { orientation: "h", y: -0.2 },
      margin: { t: 80 },
    },
  };
}

/** One panel of an image grid: an RGB image (H x W x 3) or a heatmap (H x W), values in [0, 1]. */
export interface GridPanel {
  name: string;
  kind: "rgb" | "heatmap";
  values: Float32Array;
}

/** One row of an image grid, e.g. a digit, then its heatmap under each model. */
export interface GridRow {
  title: string;
  panels: GridPanel[];
}

/** Three decimals are plenty for a heatmap and keep the figure JSON small. */
function rounded(values: Iterable<number>): number[] {
  return Array.from(values, (v) => Math.round(v * 1000) / 1000);
}

function panelTrace(panel: GridPanel, height: number, width: number, showScale: boolean): Record<string, unknown> {
  if (panel.kind === "rgb") {
    const z = Array.from({ length: height }, (_, y) =>
      Array.from({ length: width }, (_, x) => Array.from(panel.values.subarray((y * width + x) * 3, (y * width + x) * 3 + 3), (v) => Math.round(255 * v))),
    );
    return { type: "image", z, hoverinfo: "skip" };
  }
  const z = Array.from({ length: height }, (_, r) => rounded(panel.values.subarray(r * width, (r + 1) * width)));
  return { type: "heatmap", z, zmin: 0, zmax: 1, colorscale: "Jet", showscale: showScale };
}

/** A grid of images and heatmaps: one row per `rows` entry, one column per panel. */
export function imageGridFigure(title: string, rows: readonly GridRow[], height: number, width: number): PlotlyFigure {
  const columns = Math.max(1, ...rows.map((r) => r.panels.length));
  const data: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {
    title: { text: title },
    grid: { rows: rows.length, columns, pattern: "independent" },
    height: 180 * rows.length + 100,
    width: 180 * columns + 160,
    margin: { t: 80, l: 130 },
    annotations,
  };
  let firstHeatmap = true;
  rows.forEach((row, r) => {
    row.panels.forEach((panel, c) => {
      const k = r * columns + c + 1;
      const axis = k === 1 ? "" : String(k);
      data.push({ ...panelTrace(panel, height, width, panel.kind === "heatmap" && firstHeatmap), xaxis: `x${axis}`, yaxis: `y${axis}` });
      if (panel.kind === "heatmap") firstHeatmap = false;
      layout[`xaxis${axis}`] = { visible: false };
      layout[`yaxis${axis}`] = { visible: false, autorange: "reversed", scaleanchor: `x${axis}` };
      if (r === 0) annotations.push({ text: panel.name, xref: `x${axis} domain`, yref: `y${axis} domain`, x: 0.5, y: 1.15, showarrow: false });
    });
    const axis = r === 0 ? "" : String(r * columns + 1);
    annotations.push({ text: row.title, xref: `x${axis} domain`, yref: `y${axis} domain`, x: -0.1, y: 0.5, xanchor: "right", showarrow: false });
  });
  return { data, layout };
}

export interface LineSeries {
  name: string;
  x: number[];
  /** Fractions; error bars from std when n > 1. */
  y: (MeanStd | null)[];
  dash?: "solid" | "dash" | "dot";
  /** Paper numbers are drawn as markers only. */
  paper?: boolean;
  /** CSS colour; give ours and the paper's the same one to pair them. */
  color?: string;
}

/** Lines (percent) over a numeric x axis, e.g. accuracy per masking round. */
export function lineFigure(title: string, xTitle: string, series: readonly LineSeries[], yTitle = "accuracy (%)"): PlotlyFigure {
  return {
    data: series.map((s) => ({
      type: "scatter",
      mode: s.paper ? "markers" : "lines+markers",
      name: s.name,
      x: s.x,
      y: s.y.map((v) => (v ? 100 * v.mean : null)),
      error_y: { type: "data", array: s.y.map((v) => (v && v.n > 1 ? 100 * v.std : 0)), visible: !s.paper },
      line: { dash: s.dash ?? "solid", ...(s.color ? { color: s.color } : {}) },
      marker: { ...(s.color ? { color: s.color } : {}), ...(s.paper ? { symbol: "x", size: 10 } : {}) },
    })),
    layout: {
      title: { text: title },
      xaxis: { title: { text: xTitle }, dtick: 1 },
      yaxis: { title: { text: yTitle }, range: [0, 105] },
      legend: { orientation: "h", y: -0.25 },
    },
  };
}

export interface CurveSeries {
  name: string;
  /** Percent. */
  x: number[];
  /** Percent. */
  y: number[];
}

/** Continuous curves in percent on both axes, e.g. selective risk against coverage. */
export function curveFigure(title: string, xTitle: string, yTitle: string, series: readonly CurveSeries[]): PlotlyFigure {
  return {
    data: series.map((s) => ({ type: "scatter", mode: "lines", name: s.name, x: s.x, y: s.y })),
    layout: {
      title: { text: title },
      xaxis: { title: { text: xTitle }, range: [0, 100] },
      yaxis: { title: { text: yTitle }, rangemode: "tozero" },
      legend: { orientation: "h", y: -0.25 },
    },
  };
}
