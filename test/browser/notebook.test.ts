/**
 * fig2-biased-mnist.ipynb in the real notebook front end: Jupyter's classic
 * notebook server on loopback, the page in headless Chromium driven over the
 * DevTools protocol (a pipe, no automation library), every cell run in the
 * smoke configuration. The table and the drawn figure must appear in the
 * page, no cell may fail, and nothing but the server may be contacted. The
 * screenshot goes to results/browser/. Skipped, with the reason printed,
 * without Chromium, the notebook server or a registered tslab kernel.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { tslabCheck } from "../../lib/doctor/jupyter";
import { CdpPage } from "../support/cdp-pipe";
import { findChromium } from "../support/chromium";
import { pageNetworkRequests } from "../support/net-log";
import { LOOPBACK, NotebookServer, notebookServerMissing } from "../support/notebook-server";
import { figureSpecs, renderedFigures } from "../support/plotly-page";

const ROOT = path.join(__dirname, "..", "..", "..");
const NAME = "fig2-biased-mnist";
const SCREENSHOT = path.join(ROOT, "results", "browser", `${NAME}-notebook.png`);

const KERNEL_READY = "!!(window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected())";
/** Every code cell has run (a numbered prompt) and the kernel is idle, or a cell failed (the rest are then not run). */
const FINISHED = `(() => {
  const cells = Jupyter.notebook.get_cells().filter((c) => c.cell_type === "code");
  const ran = !Jupyter.notebook.kernel_busy && cells.every((c) => typeof c.input_prompt_number === "number");
  return ran || document.querySelector(".output_error") !== null;
})()`;
const PAGE_STATE = `({
  errors: [...document.querySelectorAll(".output_error")].map((e) => e.innerText),
  text: [...document.querySelectorAll(".output_text, .output_stream")].map((e) => e.innerText).join("\\n"),
  html: document.documentElement.outerHTML,
})`;

function whyNot(chromium: string | undefined): string | null {
  if (chromium === undefined) return "no chromium on PATH (apt-get install chromium; .ci/run does)";
  const tslab = tslabCheck();
  return notebookServerMissing() ?? (tslab.status === "missing" ? `tslab kernel: ${tslab.detail} (npm run kernel)` : null);
}

describe("notebooks in the classic notebook front end (headless Chromium)", () => {
  it(`${NAME}.ipynb runs every cell in the smoke configuration and shows the table and the figure`, async function () {
    this.timeout(600_000);
    const chromium = findChromium();
    const missing = whyNot(chromium);
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "masktune-notebook-page-"));
    const netLog = path.join(work, "netlog.json");
    const server = await NotebookServer.start(NAME, { MASKTUNE_NOTEBOOK_MODE: "smoke", MASKTUNE_RESULTS: path.join(work, "results") });
    let state: { errors: string[]; text: string; html: string };
    try {
      const page = await CdpPage.open(chromium!, server.notebookUrl(NAME), { loopback: [LOOPBACK], netLog, width: 1200, height: 2400 });
      try {
        await page.waitFor(KERNEL_READY, "the tslab kernel to connect", 180_000);
        await page.evaluate("Jupyter.notebook.execute_all_cells(), true");
        await page.waitFor(FINISHED, "every cell to run", 400_000, 1000);
        state = await page.evaluate(PAGE_STATE);
        await page.evaluate(`document.getElementById("fig2-figure-1")?.scrollIntoView(), true`);
        await page.screenshot(SCREENSHOT);
      } finally {
        await page.close();
      }
    } catch (e) {
      throw new Error(`${(e as Error).message}\nnotebook server output:\n${server.output()}`);
    } finally {
      await server.stop();
    }

    assert.deepEqual(state.errors, [], "no cell failed");
    assert.match(state.text, /mode smoke/);
    assert.match(state.html, /<th>ours \(%\)<\/th>/);
    assert.match(state.html, /<td>ERM<\/td><td>test-biased<\/td><td>accuracy<\/td>/);
    const specs = figureSpecs(state.html);
    const drawn = renderedFigures(state.html);
    assert.ok(specs.has("fig2-figure-1"), `figures: ${[...specs.keys()].join(", ")}`);
    for (const [id, traces] of specs) {
      assert.ok((drawn.get(id)?.mainSvgs ?? 0) > 0, `${id}: no plotly SVG`);
      assert.deepEqual(drawn.get(id)!.traces, traces, `${id}: traces drawn vs the spec`);
    }
    assert.deepEqual(pageNetworkRequests(netLog).filter((url) => new URL(url).hostname !== LOOPBACK), [], "requests beyond the notebook server");
    assert.ok(fs.statSync(SCREENSHOT).size > 10_000, "a screenshot with something on it");
  });
});
