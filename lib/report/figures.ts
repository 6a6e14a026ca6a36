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
      yaxis: { title: { text: yTitle }, range: [0, 105] },
      legend: { orientation: "h", y: -0.2 },
      margin: { t: 80 },
    },
  };
}

export interface HeatmapExample {
  title: string;
  /** H x W x 3 in [0, 1], row-major. */
  image: Float32Array;
  /** Named H x W maps in [0, 1], one panel each (e.g. ERM, MaskTune). */
  maps: { name: string; values: Float32Array }[];
}

function rows2d(values: Float32Array, height: number, width: number, scale = 1): number[][] {
  return Array.from({ length: height }, (_, r) => Array.from(values.subarray(r * width, (r + 1) * width), (v) => Math.round(v * scale * 1000) / 1000));
}

/** A grid: one row per example, the input image then one heatmap per model. */
export function heatmapGridFigure(title: string, examples: readonly HeatmapExample[], height: number, width: number): PlotlyFigure {
  const columns = 1 + (examples[0]?.maps.length ?? 0);
  const data: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {
    title: { text: title },
    grid: { rows: examples.length, columns, pattern: "independent" },
    height: 180 * examples.length + 100,
    width: 180 * columns + 160,
    margin: { t: 80, l: 130 },
    annotations: [] as Record<string, unknown>[],
  };
  examples.forEach((ex, r) => {
    const panels = [{ name: "input", values: ex.image }, ...ex.maps];
    panels.forEach((panel, c) => {
      const k = r * columns + c + 1;
      const axis = k === 1 ? "" : String(k);
      if (c === 0) {
        const pixels = Array.from({ length: height }, (_, y) =>
          Array.from({ length: width }, (_, x) => Array.from(panel.values.subarray((y * width + x) * 3, (y * width + x) * 3 + 3), (v) => Math.round(255 * v))),
        );
        data.push({ type: "image", z: pixels, xaxis: `x${axis}`, yaxis: `y${axis}`, hoverinfo: "skip" });
      } else {
        data.push({
          type: "heatmap",
          z: rows2d(panel.values, height, width),
          zmin: 0,
          zmax: 1,
          colorscale: "Jet",
          showscale: k === 2,
          xaxis: `x${axis}`,
          yaxis: `y${axis}`,
        });
      }
      layout[`xaxis${axis}`] = { visible: false };
      layout[`yaxis${axis}`] = { visible: false, autorange: "reversed", scaleanchor: `x${axis}` };
      if (r === 0) {
        (layout.annotations as Record<string, unknown>[]).push({ text: panel.name, xref: `x${axis} domain`, yref: `y${axis} domain`, x: 0.5, y: 1.15, showarrow: false });
      }
    });
    (layout.annotations as Record<string, unknown>[]).push({ text: ex.title, xref: `x${r * columns === 0 ? "" : r * columns + 1} domain`, yref: `y${r * columns === 0 ? "" : r * columns + 1} domain`, x: -0.1, y: 0.5, xanchor: "right", showarrow: false });
  });
  return { data, layout };
}
