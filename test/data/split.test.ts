import { strict as assert } from "assert";
import { splitHoldout } from "../../lib/data/split";
import { expectKitError } from "../support/kit-error";
import { tinyDataset } from "../support/tiny";

describe("hold-out split", () => {
  it("holds out floor(fraction · N) samples by seed, disjoint and covering, each part in source order", () => {
    const ds = tinyDataset(23);
    const [train, val] = splitHoldout(ds, 0.2, 50, ["train", "val"]);
    assert.equal(val.labels.length, 4);
    assert.equal(train.labels.length, 19);
    assert.equal(train.name, "train");
    assert.equal(val.name, "val");
    assert.deepEqual([...train.ids, ...val.ids].sort(), [...ds.ids].sort());
    for (const part of [train, val]) assert.deepEqual(part.ids, ds.ids.filter((id) => part.ids.includes(id)));
    const i = ds.ids.indexOf(val.ids[1]);
    assert.equal(val.labels[1], ds.labels[i]);
    assert.deepEqual(Array.from(val.images.subarray(192, 384)), Array.from(ds.images.subarray(i * 192, (i + 1) * 192)));

    assert.deepEqual(splitHoldout(ds, 0.2, 50, ["a", "b"])[1].ids, val.ids);
    assert.notDeepEqual(splitHoldout(ds, 0.2, 51, ["a", "b"])[1].ids, val.ids);
  });

  it("refuses a fraction outside 0-1", () => {
    expectKitError(() => splitHoldout(tinyDataset(4), 1.5, 0, ["a", "b"]), "hold-out fraction", "1.5");
  });
});
