import { strict as assert } from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { trainedStage } from "../../lib/experiments/trained-stage";
import { PAPER_SGD } from "../../lib/train/optimiser";
import { makeSchedule } from "../../lib/train/schedule";
import { tinyConvModel, tinyDataset } from "../support/tiny";

const CHILD = path.join(__dirname, "..", "support", "resume-child.js");
const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `masktune-${name}-`));
const env = { ...process.env, MASKTUNE_BACKEND: process.env.MASKTUNE_BACKEND ?? "wasm" };

function runToEnd(dir: string): { result: unknown; stdout: string } {
  const run = spawnSync(process.execPath, [CHILD, dir], { encoding: "utf8", env });
  assert.equal(run.status, 0, run.stderr + run.stdout);
  const line = run.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  return { result: JSON.parse(line!.slice("RESULT ".length)), stdout: run.stdout };
}

/** Starts the child and SIGKILLs it a little after it reports epoch `epoch`, i.e. during the next epoch. */
function killDuring(dir: string, epoch: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [CHILD, dir], { env });
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(` ${epoch}/4 `) && !child.killed) setTimeout(() => child.kill("SIGKILL"), 300);
    });
    child.on("exit", (_code, signal) => (signal === "SIGKILL" ? resolve(out) : reject(new Error(`child ended without being killed:\n${out}`))));
  });
}

describe("resumable training", () => {
  it("the same seed gives the same run twice (determinism), and a run killed mid-epoch resumes to the same end", async function () {
    this.timeout(600_000);
    const plain = runToEnd(tmp("resume-a"));
    assert.deepEqual(runToEnd(tmp("resume-b")).result, plain.result, "two uninterrupted runs with one seed differ");
    const dir = tmp("resume-killed");
    const before = await killDuring(dir, 2);
    assert.doesNotMatch(before, /epoch 4\/4/, "the kill came during training");
    const resumed = runToEnd(dir);
    assert.match(resumed.stdout, /resume test: resuming after epoch [23] from/);
    assert.doesNotMatch(resumed.stdout, /epoch 1\/4/, "finished epochs are not trained again");
    assert.deepEqual(resumed.result, plain.result);
  });

  it("a cached stage whose checkpoint was corrupted is retrained, never loaded", async function () {
    this.timeout(120_000);
    const cacheDir = tmp("corrupt");
    const lines: string[] = [];
    const run = () =>
      trainedStage(
        { stage: "erm", key: { test: "corrupt" }, cacheDir, fresh: false },
        () => tinyConvModel(),
        tinyDataset(8),
        tinyDataset(4),
        { epochs: 2, batchSize: 4, schedule: makeSchedule("authors-code", 0.01, 2), optimiser: PAPER_SGD, seed: 1, label: "stage", log: (l) => lines.push(l) },
        (l) => lines.push(l),
      );
    const first = await run();
    const weights = path.join(path.dirname(first.bestCheckpoint), "weights.bin");
    const bytes = fs.readFileSync(weights);
    bytes[10] ^= 0xff;
    fs.writeFileSync(weights, bytes);
    lines.length = 0;
    const second = await run();
    assert.ok(lines.some((l) => /the cached stage in .* is unusable \(the best checkpoint .* does not match its checksum\); retraining it/.test(l)), lines.join("\n"));
    assert.ok(lines.some((l) => /stage {2}epoch 2\/2/.test(l)), "it trained again");
    assert.deepEqual(second.history.map((r) => r.valAccuracy), first.history.map((r) => r.valAccuracy));
    lines.length = 0;
    await run();
    assert.ok(lines.some((l) => /reusing the finished stage/.test(l)), "the retrained stage is reused next time");
  });

  it("a half-written epoch is not resumed from: the run starts over and says why", async function () {
    this.timeout(120_000);
    const cacheDir = tmp("half");
    const lines: string[] = [];
    const options = { epochs: 2, batchSize: 4, schedule: makeSchedule("authors-code", 0.01, 2), optimiser: PAPER_SGD, seed: 1, label: "stage", log: (l: string) => lines.push(l) };
    const spec = { stage: "erm", key: { test: "half" }, cacheDir, fresh: false };
    const first = await trainedStage(spec, () => tinyConvModel(), tinyDataset(8), tinyDataset(4), options, options.log);
    const dir = path.dirname(path.dirname(path.dirname(first.lastCheckpoint)));
    fs.rmSync(path.join(dir, "done.json"));
    fs.truncateSync(path.join(path.dirname(first.lastCheckpoint), "weights.bin"), 10);
    lines.length = 0;
    await trainedStage(spec, () => tinyConvModel(), tinyDataset(8), tinyDataset(4), options, options.log);
    assert.ok(lines.some((l) => /stage: cannot resume \(.*weights\.bin does not match its checksum\); starting over/.test(l)), lines.join("\n"));
    assert.ok(lines.some((l) => /stage {2}epoch 1\/2/.test(l)), "it starts from epoch 1");
  });
});
