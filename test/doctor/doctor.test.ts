import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runDoctor } from "../../lib/doctor";
import { Check, passed } from "../../lib/doctor/check";
import { TSLAB_BINARY } from "../../lib/doctor/checkout";
import { KIT_DATASETS } from "../../lib/doctor/datasets";
import { resultsCheck } from "../../lib/doctor/disk";
import { tslabVerdict } from "../../lib/doctor/jupyter";
import { readmeEntry } from "../../lib/doctor/readme";
import { formatReport } from "../../lib/doctor/report";
import { nodeCheck } from "../../lib/doctor/runtime";
import { writeCifarFolder } from "../support/cifar-fixture";

const CLI = path.join(__dirname, "..", "..", "lib", "cli.js");
const CIFAR = "CIFAR-10, binary version";

const find = (checks: Check[], name: string) => checks.find((c) => c.name === name)!;

/** A CIFAR-10 fixture folder without test_batch.bin. */
function brokenCifar(): string {
  const { folder } = writeCifarFolder();
  fs.rmSync(path.join(folder, "test_batch.bin"));
  return folder;
}

describe("masktune doctor", () => {
  it("passes every check the default run needs, here", async function () {
    this.timeout(120_000);
    const checks = await runDoctor();
    const needed = checks.filter((c) => c.needed);
    assert.deepEqual(needed.map((c) => c.name), ["Node.js", "tfjs backend", "kit wasm kernels", "sharp", "results folder", "embedded MNIST digits"]);
    for (const c of needed) assert.equal(c.status, "ok", `${c.name}: ${c.detail}`);
    assert.ok(passed(checks));
    assert.match(find(checks, "embedded MNIST digits").detail, /^10,000 digits/);
    assert.deepEqual(checks.filter((c) => c.section === "Data").map((c) => c.name).slice(1), KIT_DATASETS.map((d) => d.title));
    for (const c of checks.filter((c) => c.section === "Data" && c.status === "missing")) {
      assert.match(c.detail, /^not found \(optional; used by /);
      assert.match(c.fix!, /download .*https?:\/\//);
    }
  });

  it("names the missing file of a CIFAR-10 folder given on the command line, and fails", async function () {
    this.timeout(120_000);
    const checks = await runDoctor({ given: { cifar10: brokenCifar() } });
    const cifar = find(checks, CIFAR);
    assert.equal(cifar.status, "error");
    assert.match(cifar.detail, /\(--cifar10\) is not complete: .*found no test_batch\.bin/);
    assert.match(cifar.fix!, /cifar-10-binary\.tar\.gz/);
    assert.ok(!passed(checks));
    assert.match(formatReport(checks, "doctor"), /but CIFAR-10, binary version failed \(ERROR above\)/);
  });

  it("finds datasets under --data-root: counts a complete one, warns about a broken one", async function () {
    this.timeout(120_000);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "masktune-data-root-"));
    fs.renameSync(writeCifarFolder().parent, path.join(root, "cifar10"));
    fs.renameSync(path.dirname(brokenCifar()), path.join(root, "mnist"));
    const checks = await runDoctor({ dataRoot: root });
    const cifar = find(checks, CIFAR);
    assert.equal(cifar.status, "ok", cifar.detail);
    assert.equal(cifar.detail.split(": ")[1], "images train 10 / test 3; classes airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck");
    const mnist = find(checks, "MNIST, official IDX files");
    assert.equal(mnist.status, "warning", "found by name, not named: a warning");
    assert.match(mnist.detail, /--data-root\) is not complete: .*train-images-idx3-ubyte/);
    assert.ok(passed(checks));
  });

  it("takes every dataset's source, users and layout from datasets/README.md", () => {
    for (const ds of KIT_DATASETS) {
      const entry = readmeEntry(ds.title, ds.heading);
      assert.ok(entry.usedBy && entry.source && entry.layout, `${ds.title}: ${JSON.stringify(entry)}`);
      assert.ok(entry.layout.startsWith("DIR/") || entry.layout.startsWith("CUB/"), `${ds.title}: ${entry.layout}`);
    }
  });

  it("tells whether the tslab kernel points at this checkout", () => {
    assert.equal(tslabVerdict(TSLAB_BINARY).status, "ok");
    const other = tslabVerdict(process.execPath);
    assert.equal(other.status, "warning");
    assert.match(other.detail, /another checkout's tslab/);
    assert.match(other.fix!, /^npm run kernel/);
    assert.match(tslabVerdict("/no/such/checkout/node_modules/.bin/tslab").detail, /no longer exists/);
  });

  it("judges Node versions and results folders", () => {
    assert.equal(nodeCheck("18.19.0").status, "error");
    assert.equal(nodeCheck("22.1.0").status, "ok");
    const notYet = resultsCheck(path.join(os.tmpdir(), "masktune-not-created", "results"));
    assert.equal(notYet.status, "ok");
    assert.match(notYet.detail, /not created yet; judged by .*writable, [\d.]+ GiB free/);
    assert.equal(resultsCheck(CLI).status, "error");
  });

  it("`masktune doctor` prints the report and exits 0; with a broken --cifar10 it names the file and exits 1", function () {
    this.timeout(120_000);
    const ok = spawnSync(process.execPath, [CLI, "doctor"], { encoding: "utf8" });
    assert.equal(ok.status, 0, ok.stderr + ok.stdout);
    for (const section of ["Runtime", "Notebooks", "Images and disk", "Data"]) assert.match(ok.stdout, new RegExp(`^${section}$`, "m"));
    assert.match(ok.stdout, /^ {2}OK {7}tfjs backend: /m);
    assert.match(ok.stdout, /^Ready for the default run/m);
    const broken = spawnSync(process.execPath, [CLI, "doctor", "--cifar10", brokenCifar()], { encoding: "utf8" });
    assert.equal(broken.status, 1);
    assert.match(broken.stdout, /^ {2}ERROR {4}CIFAR-10, binary version: .*no test_batch\.bin/m);
    const typo = spawnSync(process.execPath, [CLI, "doctor", "--cifar", "x"], { encoding: "utf8" });
    assert.equal(typo.status, 1);
    assert.match(typo.stderr, /usage: masktune doctor/);
  });
});
