/**
 * Plotly figures in an HTML report or a notebook page (lib/report/html.ts,
 * div ids "figure-N" or "<experiment>-figure-N"): the traces each
 * `Plotly.newPlot(id, data, layout)` call asks for, and what plotly
 * drew into each figure div of the rendered DOM. Per trace plotly draws a
 * `g.trace.bars` (bar), a `g.trace.scatter` (scatter), or a `g.hm` / `g.im`
 * holding an <image> with the pixels as a data: URL (heatmap / image).
 */

/** Trace type → count. */
export type TraceCounts = Record<string, number>;

export interface RenderedFigure {
  /** plotly's <svg class="main-svg"> layers: present once the plot is drawn. */
  mainSvgs: number;
  traces: TraceCounts;
}

const DRAWN: Record<string, RegExp> = {
  bar: /<g class="trace bars"/g,
  scatter: /<g class="trace scatter\b/g,
  heatmap: /<g class="hm"><image [^>]*href="data:image\//g,
  image: /<g class="im"><image [^>]*href="data:image\//g,
};

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

/** The JSON value (array or object) that starts at `start` of `text`. */
function jsonAt(text: string, start: number): unknown {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
    } else if (ch === "[" || ch === "{") {
      depth++;
    } else if ((ch === "]" || ch === "}") && --depth === 0) {
      return JSON.parse(text.slice(start, i + 1));
    }
  }
  throw new Error(`unterminated JSON at ${start}`);
}

/** Figure id → trace type → count, from the page's Plotly.newPlot calls. */
export function figureSpecs(html: string): Map<string, TraceCounts> {
  const specs = new Map<string, TraceCounts>();
  for (const call of html.matchAll(/Plotly\.newPlot\("([\w-]*figure-\d+)", /g)) {
    const traces: TraceCounts = {};
    for (const trace of jsonAt(html, call.index! + call[0].length) as { type: string }[]) traces[trace.type] = (traces[trace.type] ?? 0) + 1;
    specs.set(call[1], traces);
  }
  return specs;
}

/** Figure id → what plotly drew into that div, from a DOM dumped after the scripts ran. */
export function renderedFigures(dom: string): Map<string, RenderedFigure> {
  const starts = [...dom.matchAll(/<div id="([\w-]*figure-\d+)" class="figure\b/g)];
  const figures = new Map<string, RenderedFigure>();
  starts.forEach((start, i) => {
    const part = dom.slice(start.index, starts[i + 1]?.index ?? dom.length);
    const traces: TraceCounts = {};
    for (const [type, pattern] of Object.entries(DRAWN)) {
      const n = count(part, pattern);
      if (n > 0) traces[type] = n;
    }
    figures.set(start[1], { mainSvgs: count(part, /<svg class="main-svg"/g), traces });
  });
  return figures;
}
