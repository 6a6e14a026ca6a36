/**
 * The HTML figures of the smoke runs, opened in headless Chromium (its command
 * line, no automation library): every plot is drawn with the traces its spec
 * asks for, and the page requests nothing from the network. One screenshot
 * per page goes to results/browser/. Skipped, with the reason printed, when
 * no Chromium is installed (.ci/run installs Debian's).
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pathToFileURL } from "url";
import { writeBgChallengeFixture } from "../support/bg-challenge-fixture";
import { dumpDom, findChromium, screenshot } from "../support/chromium";
import { pageNetworkRequests } from "../support/net-log";
import { figureSpecs, renderedFigures } from "../support/plotly-page";

const ROOT = path.join(__dirname, "..", "..", "..");
const CLI = path.join(ROOT, "dist", "lib", "cli.js");
const SCREENSHOTS = path.join(ROOT, "results", "browser");
/** Wide as the brief's 1200 and tall enough for a whole smoke page (they end before 2,000 px). */
const SHOT = { width: 1200, height: 2400 };

interface SmokePage {
  experiment: string;
  /** A generated data folder for --data. */
  data?: () => Promise<string>;
}

/** One page per kind of figure the kit draws (bars, heatmap grids, lines, curves, RGB images from files). */
const PAGES: SmokePage[] = [
  { experiment: "fig2" },
  { experiment: "table4" },
  { experiment: "table5" },
  { experiment: "table3", data: () => writeBgChallengeFixture() },
];

describe("HTML figures in headless Chromium (smoke configurations)", () => {
  const chromium = findChromium();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "masktune-browser-"));
  const results = path.join(work, "results");

  before(function () {
    if (chromium === undefined) {
      console.log("      skipped: no chromium on PATH (apt-get install chromium; .ci/run does)");
      this.skip();
    }
  });

  it("the network check sees what a page requests", () => {
    const page = path.join(work, "fetches.html");
    fs.writeFileSync(page, '<img src="http://example.com/x.png"><script>fetch("https://example.org/data.json").catch(() => {});</script>');
    const netLog = path.join(work, "fetches.netlog.json");
    dumpDom(chromium!, pathToFileURL(page).href, netLog);
    assert.deepEqual(pageNetworkRequests(netLog).sort(), ["http://example.com/x.png", "https://example.org/data.json"]);
  });

  for (const { experiment, data } of PAGES) {
    it(`${experiment} --smoke: every plot of figure.html is drawn, offline`, async function () {
      this.timeout(600_000);
      const args = [CLI, experiment, "--smoke", ...(data ? ["--data", await data()] : [])];
      const run = spawnSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, MASKTUNE_RESULTS: results } });
      assert.equal(run.status, 0, run.stderr + run.stdout);
      const page = path.join(results, `${experiment}-smoke`, "figure.html");
      const specs = figureSpecs(fs.readFileSync(page, "utf8"));
      assert.ok(specs.size > 0, "the page has figures");

      const netLog = path.join(work, `${experiment}.netlog.json`);
      const rendered = renderedFigures(dumpDom(chromium!, pathToFileURL(page).href, netLog));
      assert.deepEqual([...rendered.keys()], [...specs.keys()]);
      for (const [id, traces] of specs) {
        const drawn = rendered.get(id)!;
        assert.ok(drawn.mainSvgs > 0, `${id}: no plotly SVG`);
        assert.deepEqual(drawn.traces, traces, `${id}: traces drawn vs the spec`);
      }
      assert.deepEqual(pageNetworkRequests(netLog), [], "network requests");

      const png = path.join(SCREENSHOTS, `${experiment}.png`);
      fs.rmSync(png, { force: true });
      screenshot(chromium!, pathToFileURL(page).href, png, SHOT.width, SHOT.height);
      assert.ok(fs.statSync(png).size > 10_000, "a screenshot with something on it");
    });
  }
});
