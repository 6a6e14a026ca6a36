import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { decodeImage } from "../../../lib/data/images/decode";
import { ImageBatch, loadAll, streamBatches } from "../../../lib/data/images/stream";
import { ImageFileSet } from "../../../lib/data/image-files";
import { EvalTransform, TrainTransform } from "../../../lib/data/images/transforms";
import { Rng } from "../../../lib/random";
import { expectKitErrorAsync } from "../../support/kit-error";
import { fileSetOf, tempDirs, writeTextured } from "../../support/pipeline-fixture";

const EVAL: EvalTransform = { kind: "resize-center-crop", resize: 12, crop: 8 };
const TRAIN: TrainTransform = { kind: "random-resized-crop", size: 8, scale: [0.7, 1], ratio: [3 / 4, 4 / 3], hflip: true };

async function collect(batches: AsyncIterable<ImageBatch>): Promise<ImageBatch[]> {
  const all: ImageBatch[] = [];
  for await (const b of batches) all.push(b);
  return all;
}

describe("streamBatches and loadAll", function () {
  this.timeout(20_000);
  const dirs = tempDirs("stream");
  after(dirs.cleanup);
  let files: string[] = [];
  before(async () => {
    files = await writeTextured(dirs.make(), 10, 24, 16);
  });

  it("yields every index once, in the given order, in batches of the given size", async () => {
    const set = fileSetOf(files);
    const order = new Rng(5).permutation(10);
    const batches = await collect(streamBatches(set, order, 4, EVAL));
    assert.deepEqual(batches.map((b) => b.indices.length), [4, 4, 2]);
    assert.deepEqual(batches.flatMap((b) => b.indices), order);
    for (const b of batches) {
      assert.deepEqual(b.shape, [8, 8, 3]);
      for (const [k, i] of b.indices.entries()) {
        assert.deepEqual(b.pixels.subarray(k * 192, (k + 1) * 192), await decodeImage(files[i], EVAL), `image ${i}`);
      }
    }
  });

  it("training draws depend on the seed only, not on concurrency or prefetch", async () => {
    const set = fileSetOf(files);
    const order = new Rng(6).permutation(10);
    const pixels = async (seed: number, concurrency: number, prefetch: number) =>
      (await collect(streamBatches(set, order, 3, TRAIN, { rng: new Rng(seed), concurrency, prefetch }))).map((b) => Array.from(b.pixels));
    const serial = await pixels(1, 1, 0);
    assert.deepEqual(await pixels(1, 4, 3), serial);
    assert.notDeepEqual(await pixels(2, 4, 3), serial);
  });

  it("decodes exactly `prefetch` batches ahead of the consumer", async () => {
    // A decode reads its file name from the set when it starts: record which were read.
    const read = new Set<number>();
    const tracked = new Proxy(files, {
      get(target, key, receiver) {
        if (typeof key === "string" && /^\d+$/.test(key)) read.add(Number(key));
        return Reflect.get(target, key, receiver);
      },
    });
    const set: ImageFileSet = { ...fileSetOf(files), files: tracked };
    for (const prefetch of [0, 1, 2]) {
      read.clear();
      const stream: AsyncGenerator<ImageBatch> = streamBatches(set, Array.from({ length: 10 }, (_, i) => i), 2, EVAL, { prefetch, concurrency: 8 });
      let k = 0;
      for await (const batch of stream) {
        assert.deepEqual(batch.indices, [2 * k, 2 * k + 1]);
        const ahead = Math.min(k + prefetch, 4);
        assert.equal(Math.max(...read), 2 * ahead + 1, `prefetch ${prefetch}, holding batch ${k}`);
        k++;
      }
      assert.equal(k, 5);
    }
  });

  it("a bad file fails its own batch, after the earlier batches were delivered", async () => {
    const dir = dirs.make();
    const broken = path.join(dir, "broken.png");
    fs.writeFileSync(broken, "no image");
    const set = fileSetOf([...files.slice(0, 5), broken, ...files.slice(6)]);
    const seen: number[][] = [];
    await expectKitErrorAsync(async () => {
      for await (const b of streamBatches(set, Array.from({ length: 10 }, (_, i) => i), 2, EVAL)) seen.push(b.indices);
    }, broken);
    assert.deepEqual(seen, [[0, 1], [2, 3]]);
  });

  it("refuses a bad order, batch size or missing rng", async () => {
    const set = fileSetOf(files);
    await expectKitErrorAsync(() => collect(streamBatches(set, [0, 10], 2, EVAL)), "0..9", "10");
    await expectKitErrorAsync(() => collect(streamBatches(set, [0, 1], 0, EVAL)), "batchSize");
    await expectKitErrorAsync(() => collect(streamBatches(set, [0, 1], 2, EVAL, { concurrency: 0 })), "concurrency");
    await expectKitErrorAsync(() => collect(streamBatches(set, [0, 1], 2, TRAIN)), "Rng");
  });

  it("loadAll gives the whole set as an in-memory dataset in set order", async () => {
    const set = fileSetOf(files, "tiny");
    const ds = await loadAll(set, EVAL, { batchSize: 3 });
    assert.equal(ds.name, "tiny");
    assert.deepEqual(ds.shape, [8, 8, 3]);
    assert.equal(ds.images.length, 10 * 192);
    assert.deepEqual(ds.labels, set.labels);
    assert.deepEqual(ds.ids, set.ids);
    assert.deepEqual(ds.attributes, set.attributes);
    assert.deepEqual(ds.images.subarray(7 * 192, 8 * 192), await decodeImage(files[7], EVAL));
  });
});
