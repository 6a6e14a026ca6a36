import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { loadWaterbirds, WATERBIRDS_GROUP_NAMES, waterbirdsGroup } from "../../lib/data/waterbirds";
import { tempDir } from "../support/image-fixture";
import { expectKitError } from "../support/kit-error";
import { treeSnapshot } from "../support/tree-snapshot";
import { writeWaterbirdsFixture } from "../support/waterbirds-fixture";

/** A copy of the fixture folder whose metadata.csv lines went through `edit` (line 1 is the header). */
function editedCopy(fixture: string, edit: (lines: string[]) => string[]): string {
  const dir = tempDir("masktune-waterbirds-edit-");
  fs.cpSync(fixture, dir, { recursive: true });
  const file = path.join(dir, "metadata.csv");
  const lines = fs.readFileSync(file, "utf8").split("\r\n").slice(0, -1);
  fs.writeFileSync(file, edit(lines).join("\n") + "\n");
  return dir;
}

/** `line` (1-based) with field `column` set to `value`. */
function setField(lines: string[], line: number, column: number, value: string): string[] {
  return lines.map((text, i) => (i === line - 1 ? text.split(",").map((f, j) => (j === column ? value : f)).join(",") : text));
}

describe("Waterbirds loader", () => {
  let fixture: string;
  before(async () => {
    fixture = await writeWaterbirdsFixture();
  });

  it("reads a ready folder: splits, labels, places, groups g = 2·y + place, ids and absolute paths; the folder is untouched", () => {
    const before = treeSnapshot(fixture);
    const wb = loadWaterbirds(fixture);
    for (const [name, set] of [["train", wb.train], ["val", wb.val], ["test", wb.test]] as const) {
      assert.equal(set.name, `waterbirds/${name}`);
      assert.equal(set.files.length, 12);
      assert.deepEqual(Array.from(set.labels), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
      assert.deepEqual(Array.from(set.attributes.place), [0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1]);
      assert.deepEqual(Array.from(set.attributes.group), [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
      assert.deepEqual(wb.groupCounts[name], [3, 3, 3, 3]);
      assert.equal(set.numClasses, 2);
      assert.deepEqual(set.groupNames, ["landbird on land", "landbird on water", "waterbird on land", "waterbird on water"]);
      assert.ok(set.files.every((f, i) => path.isAbsolute(f) && fs.existsSync(f) && f.endsWith(set.ids[i])));
    }
    assert.equal(wb.train.ids[0], "094.White_breasted_Nuthatch/White_breasted_Nuthatch_0001.jpg");
    assert.equal(wb.test.ids[11], "059.California_Gull/California_Gull_0036.jpg");
    assert.ok(wb.source.includes("g = 2·y + place") && wb.source.includes("waterbird on water"), wb.source);
    assert.match(wb.source, /total\s+12\s+12\s+12/);
    assert.deepEqual(treeSnapshot(fixture), before);
  });

  it("accepts pandas' unnamed leading index column", async () => {
    const withIndex = await writeWaterbirdsFixture(undefined, { indexColumn: true, perGroupPerSplit: 1 });
    assert.ok(fs.readFileSync(path.join(withIndex, "metadata.csv"), "utf8").startsWith(",img_id,img_filename,"));
    const wb = loadWaterbirds(withIndex);
    assert.deepEqual(Array.from(wb.val.attributes.group), [0, 1, 2, 3]);
  });

  it("B16 (a): the group of a row with y = \"1\", place = \"0\" is the number 2, not the string \"20\"", () => {
    const wb = loadWaterbirds(fixture);
    const i = wb.train.ids.findIndex((_, k) => wb.train.labels[k] === 1 && wb.train.attributes.place[k] === 0);
    const line = fs.readFileSync(path.join(fixture, "metadata.csv"), "utf8").split("\r\n").find((l) => l.includes(wb.train.ids[i]));
    assert.match(line ?? "", /,1,0,0,\/b\/bamboo_forest\//); // y = "1", split = "0", place = "0" in the text
    assert.strictEqual(wb.train.attributes.group[i], 2);
    assert.strictEqual(typeof wb.train.attributes.group[i], "number");
    assert.strictEqual(waterbirdsGroup(1, 0), 2);
    assert.equal(WATERBIRDS_GROUP_NAMES[2], "waterbird on land");
  });

  it("reports missing images with their count and the first few names", () => {
    const dir = editedCopy(fixture, (lines) => lines);
    const gone = ["California_Gull_0010.jpg", "California_Gull_0011.jpg"];
    for (const name of gone) fs.rmSync(path.join(dir, "059.California_Gull", name));
    expectKitError(() => loadWaterbirds(dir), "every image listed in", "2 of 36 missing", `059.California_Gull/${gone[0]}`, "Unpack the whole archive");
  });

  it("names the line of a truncated row, and the line and column of a bad value", () => {
    expectKitError(() => loadWaterbirds(editedCopy(fixture, (l) => l.map((t, i) => (i === 4 ? t.split(",").slice(0, 3).join(",") : t)))), "metadata.csv line 5", "expected 6 fields", "found 3 (a truncated");
    expectKitError(() => loadWaterbirds(editedCopy(fixture, (l) => setField(l, 7, 2, "1.0"))), "metadata.csv line 7, column y", "an integer, one of 0, 1", '"1.0" (not an integer)');
    expectKitError(() => loadWaterbirds(editedCopy(fixture, (l) => setField(l, 3, 4, "2"))), "line 3, column place", "found 2");
    expectKitError(() => loadWaterbirds(editedCopy(fixture, (l) => setField(l, 9, 3, "3"))), "line 9, column split", "one of 0, 1, 2");
    expectKitError(() => loadWaterbirds(editedCopy(fixture, (l) => setField(l, 9, 3, ""))), "line 9, column split", '"" (not an integer)');
  });

  it("refuses missing columns (with the nearest name), duplicates, an empty group and a missing folder", () => {
    expectKitError(() => loadWaterbirds(editedCopy(fixture, (l) => setField(l, 1, 4, "places"))), "the column(s) img_filename, y, split, place", 'no "place" (did you mean "places"?)');
    expectKitError(() => loadWaterbirds(editedCopy(fixture, (l) => setField(l, 3, 1, l[1].split(",")[1]))), "line 3, column img_filename", "already on line 2");
    expectKitError(() => loadWaterbirds(editedCopy(fixture, (l) => l.filter((t) => !/,0,1,1,\/o\//.test(t)))), "every group present in every split", "empty groups (val: landbird on water)");
    expectKitError(() => loadWaterbirds(editedCopy(fixture, (l) => l.slice(0, 1))), "one row per image", "the header alone");
    expectKitError(() => loadWaterbirds(path.join(fixture, "nowhere")), "no such folder", "waterbird_complete95_forest2water2");
  });
});
