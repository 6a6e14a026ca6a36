import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { MapBatch, writeTransformedCache } from "../../../lib/data/images/png-cache";
import { loadAll } from "../../../lib/data/images/stream";
import { EvalTransform, asStored } from "../../../lib/data/images/transforms";
import { expectKitErrorAsync } from "../../support/kit-error";
import { fileSetOf, tempDirs, writeTextured } from "../../support/pipeline-fixture";

const EVAL: EvalTransform = { kind: "resize-center-crop", resize: 16, crop: 12 };
const PER = 12 * 12 * 3;

/** A mapBatch that zeroes the left half of every image and counts the images it saw. */
function maskLeftHalf(): { map: MapBatch; seen: number[] } {
  const seen: number[] = [];
  const map: MapBatch = (pixels, indices, [h, w, c]) => {
    seen.push(...indices);
    const out = pixels.slice();
    for (let p = 0; p < out.length; p += c) if (Math.floor(p / c) % w < w / 2) out.fill(0, p, p + c);
    assert.equal(out.length, indices.length * h * w * c);
    return out;
  };
  return { map, seen };
}

describe("writeTransformedCache", function () {
  this.timeout(20_000);
  const dirs = tempDirs("png-cache");
  after(dirs.cleanup);
  let files: string[] = [];
  before(async () => {
    files = await writeTextured(dirs.make(), 7, 30, 20, "jpg");
  });

  it("writes mapped images as PNGs that read back within 1/255, with the set's labels, ids and attributes", async () => {
    const set = fileSetOf(files, "masked");
    const out = dirs.make();
    const identity: MapBatch = (pixels) => pixels;
    const cached = await writeTransformedCache(set, EVAL, out, identity, { batchSize: 3, key: { rule: "none" } });
    const folder = path.dirname(cached.files[0]);
    assert.match(path.basename(folder), /^[0-9a-f]{16}$/);
    assert.deepEqual(cached.files, files.map((_, i) => path.join(folder, `${i}.png`)));
    assert.ok(fs.existsSync(path.join(folder, "done.json")));
    assert.deepEqual([cached.labels, cached.ids, cached.attributes, cached.numClasses], [set.labels, set.ids, set.attributes, set.numClasses]);

    const original = await loadAll(set, EVAL);
    const stored = await loadAll(cached, asStored(12));
    const worst = original.images.reduce((m, v, i) => Math.max(m, Math.abs(v - stored.images[i])), 0);
    assert.ok(worst <= 0.5 / 255 + 1e-6, `largest difference ${worst * 255}/255`);
  });

  it("keeps what mapBatch did (masked pixels are exactly 0) and maps every image once, in order", async () => {
    const { map, seen } = maskLeftHalf();
    const cached = await writeTransformedCache(fileSetOf(files), EVAL, dirs.make(), map, { batchSize: 4, key: "left half" });
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6]);
    const stored = await loadAll(cached, asStored(12));
    for (let i = 0; i < 7; i++) {
      const image = stored.images.subarray(i * PER, (i + 1) * PER);
      assert.ok(image.every((v, p) => (Math.floor(p / 3) % 12 < 6 ? v === 0 : true)), `image ${i} left half`);
      assert.ok(image.some((v, p) => Math.floor(p / 3) % 12 >= 6 && v > 0), `image ${i} right half`);
    }
  });

  it("reuses a finished cache of the same key without mapping again; another key gets its own folder", async () => {
    const out = dirs.make();
    const set = fileSetOf(files);
    const first = maskLeftHalf();
    const a = await writeTransformedCache(set, EVAL, out, first.map, { batchSize: 4, key: { k: 2, model: "abc" } });
    const again = maskLeftHalf();
    const lines: string[] = [];
    const b = await writeTransformedCache(set, EVAL, out, again.map, { batchSize: 4, key: { k: 2, model: "abc" }, log: (l) => lines.push(l) });
    assert.deepEqual(b.files, a.files);
    assert.deepEqual(again.seen, []);
    assert.match(lines.join("\n"), /reusing 7 cached images/);
    const other = maskLeftHalf();
    const c = await writeTransformedCache(set, EVAL, out, other.map, { batchSize: 4, key: { k: 3, model: "abc" } });
    assert.notEqual(path.dirname(c.files[0]), path.dirname(a.files[0]));
    assert.equal(other.seen.length, 7);
  });

  it("rebuilds an interrupted cache (no done.json)", async () => {
    const out = dirs.make();
    const set = fileSetOf(files);
    const first = await writeTransformedCache(set, EVAL, out, maskLeftHalf().map, { batchSize: 4, key: "run" });
    const folder = path.dirname(first.files[0]);
    fs.rmSync(path.join(folder, "done.json"));
    fs.writeFileSync(first.files[5], "half-written");
    const again = maskLeftHalf();
    const second = await writeTransformedCache(set, EVAL, out, again.map, { batchSize: 4, key: "run" });
    assert.equal(again.seen.length, 7);
    assert.ok(fs.existsSync(path.join(folder, "done.json")));
    assert.equal((await loadAll(second, asStored(12))).images.length, 7 * PER);
  });

  it("refuses a mapBatch result of the wrong length", async () => {
    const short: MapBatch = (pixels) => pixels.subarray(1);
    await expectKitErrorAsync(() => writeTransformedCache(fileSetOf(files), EVAL, dirs.make(), short, { batchSize: 4, key: 1 }), "mapBatch", `${4 * PER}`);
  });
});
