import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { attributeValues, loadCelebA, readCelebAAttributes } from "../../lib/data/celeba";
import { parseCsv, toCsv } from "../../lib/report/csv";
import { CELEBA_ATTRIBUTES, CelebAFixtureLayout, writeCelebAFixture } from "../support/celeba-fixture";
import { tempDir, writeText } from "../support/image-fixture";
import { expectKitError } from "../support/kit-error";
import { treeSnapshot } from "../support/tree-snapshot";

/** Field case B11, byte for byte: a trailing space after the last name, double spaces before positive values. */
const B11_TEXT = "3\n5_o_Clock_Shadow Blond_Hair Male \n000001.jpg -1  1 -1\n000002.jpg -1 -1  1\n000003.jpg  1  1  1\n";
const B11_CSV = "image_id,5_o_Clock_Shadow,Blond_Hair,Male\n000001.jpg,-1,1,-1\n000002.jpg,-1,-1,1\n000003.jpg,1,1,1\n";

function written(name: string, text: string): string {
  const file = path.join(tempDir("masktune-celeba-file-"), name);
  writeText(file, text);
  return file;
}

/** A copy of a fixture folder with one of its text files rewritten line by line. */
function editedCopy(fixture: string, relative: string, edit: (lines: string[]) => string[]): string {
  const dir = tempDir("masktune-celeba-edit-");
  fs.cpSync(fixture, dir, { recursive: true });
  const file = path.join(dir, relative);
  fs.writeFileSync(file, edit(fs.readFileSync(file, "utf8").split(/\r?\n/).slice(0, -1)).join("\n") + "\n");
  return dir;
}

describe("CelebA attribute files (field case B11)", () => {
  it("reads the 5-line official file: 3 rows, Blond_Hair = [1,0,1], Male = [0,1,1], values only 0/1", () => {
    const table = readCelebAAttributes(written("list_attr_celeba.txt", B11_TEXT));
    assert.deepEqual(table.names, ["5_o_Clock_Shadow", "Blond_Hair", "Male"]);
    assert.deepEqual(table.ids, ["000001.jpg", "000002.jpg", "000003.jpg"]);
    const blond = attributeValues(table, "Blond_Hair");
    const male = attributeValues(table, "Male");
    assert.deepEqual(Array.from(blond), [1, 0, 1]);
    assert.deepEqual(Array.from(male), [0, 1, 1]);
    assert.ok(table.values.every((v) => v === 0 || v === 1));
    // (y = Blond_Hair, a = Male) per image
    assert.deepEqual(table.ids.map((_, i) => [blond[i], male[i]]), [[1, 0], [0, 1], [1, 1]]);
  });

  it("gives the identical result for the Kaggle CSV variant", () => {
    const txt = readCelebAAttributes(written("list_attr_celeba.txt", B11_TEXT));
    const csv = readCelebAAttributes(written("list_attr_celeba.csv", B11_CSV));
    assert.deepEqual({ ...csv, file: "", lines: [] }, { ...txt, file: "", lines: [] });
    assert.deepEqual([csv.lines, txt.lines], [[2, 3, 4], [3, 4, 5]]);
  });

  it("refuses a count line that disagrees with the rows, a row with a missing value, and a value other than -1/1", () => {
    expectKitError(() => readCelebAAttributes(written("list_attr_celeba.txt", B11_TEXT.replace(/^3/, "4"))), "list_attr_celeba.txt", "4 image rows, as line 1 says", "found 3");
    expectKitError(() => readCelebAAttributes(written("list_attr_celeba.txt", B11_TEXT.replace("000002.jpg -1 -1  1", "000002.jpg -1  1"))), "list_attr_celeba.txt line 4", "expected 4 fields", "3 names", "found 3 (a truncated");
    expectKitError(() => readCelebAAttributes(written("list_attr_celeba.txt", B11_TEXT.replace("000003.jpg  1  1  1", "000003.jpg  1  0  1"))), "line 5, column Blond_Hair", "one of -1, 1", "found 0");
    expectKitError(() => readCelebAAttributes(written("list_attr_celeba.csv", B11_CSV.replace(",1,1,1", ",1,1.0,1"))), "line 4, column Blond_Hair", '"1.0" (not an integer)');
  });

  it("looks attributes up by name, suggesting the nearest one when it is missing", () => {
    const table = readCelebAAttributes(written("list_attr_celeba.txt", B11_TEXT));
    expectKitError(() => attributeValues(table, "Blonde_Hair"), 'no "Blonde_Hair" (did you mean "Blond_Hair"?)');
  });
});

describe("CelebA loader", () => {
  const layouts: CelebAFixtureLayout[] = ["official", "kaggle-nested", "kaggle-flat"];
  const fixtures: Partial<Record<CelebAFixtureLayout, string>> = {};
  before(async () => {
    for (const layout of layouts) fixtures[layout] = await writeCelebAFixture(undefined, { layout });
  });

  it("reads the official layout: 40 names vs 41 fields, labels by name (not shifted), groups g = 2·y + a; the folder is untouched", () => {
    const dir = fixtures.official as string;
    const before = treeSnapshot(dir);
    const celeba = loadCelebA(dir);
    assert.equal(celeba.layout, "official");
    assert.ok(celeba.source.startsWith(`CelebA, official layout: ${path.join(dir, "Anno", "list_attr_celeba.txt")}, ${path.join(dir, "Eval", "list_eval_partition.txt")}, images in ${path.join(dir, "Img", "img_align_celeba")}`), celeba.source);
    const attributeLine = fs.readFileSync(path.join(dir, "Anno", "list_attr_celeba.txt"), "utf8").split("\n")[1];
    assert.equal(attributeLine.split(" ").length, 41); // 40 names and the trailing space
    for (const [name, set] of [["train", celeba.train], ["val", celeba.val], ["test", celeba.test]] as const) {
      assert.equal(set.name, `celeba/${name}`);
      assert.deepEqual(Array.from(set.labels), [0, 0, 0, 0, 1, 1, 1, 1]);
      assert.deepEqual(Array.from(set.attributes.male), [0, 0, 1, 1, 0, 0, 1, 1]);
      assert.deepEqual(Array.from(set.attributes.group), [0, 0, 1, 1, 2, 2, 3, 3]);
      assert.deepEqual(celeba.groupCounts[name], [2, 2, 2, 2]);
      assert.deepEqual(set.groupNames, ["not blond, female", "not blond, male", "blond, female", "blond, male"]);
      assert.ok(set.files.every((f, i) => path.isAbsolute(f) && fs.existsSync(f) && path.basename(f) === set.ids[i]));
    }
    assert.deepEqual(treeSnapshot(dir), before);
  });

  it("gives identical labels, groups and ids for the official and both Kaggle layouts, and says which layout it found", () => {
    const loaded = layouts.map((layout) => loadCelebA(fixtures[layout] as string));
    assert.deepEqual(loaded.map((c) => c.layout), layouts);
    assert.ok(loaded[1].source.includes(path.join("img_align_celeba", "img_align_celeba")), loaded[1].source);
    const strip = (c: (typeof loaded)[number]) => [c.train, c.val, c.test].map((s) => ({ ...s, files: s.files.map((f) => path.basename(f)) }));
    assert.deepEqual(strip(loaded[1]), strip(loaded[0]));
    assert.deepEqual(strip(loaded[2]), strip(loaded[0]));
    assert.deepEqual(loaded[2].groupCounts, loaded[0].groupCounts);
  });

  it("B16 (c): image ids keep their leading zeros, through the CSV files and a CSV round trip", () => {
    const celeba = loadCelebA(fixtures["kaggle-flat"] as string);
    assert.deepEqual(celeba.train.ids.slice(0, 2), ["000001.jpg", "000002.jpg"]);
    assert.equal(celeba.test.ids[7], "000024.jpg");
    const ids = ["000001.jpg", "000123.jpg"];
    assert.deepEqual(parseCsv(toCsv(ids.map((id) => ({ id, group: "0_1" })), ["id", "group"])), [["id", "group"], ["000001.jpg", "0_1"], ["000123.jpg", "0_1"]]);
  });

  it("takes another target and group attribute by name, naming the groups after them", () => {
    const young = CELEBA_ATTRIBUTES.indexOf("Young");
    const youngOf = (id: string) => ((Number(id.slice(0, 6)) + young) % 3 === 0 ? 1 : 0);
    const byYoung = loadCelebA(fixtures.official as string, { target: "Young" });
    assert.deepEqual(byYoung.train.groupNames, ["not Young, female", "not Young, male", "Young, female", "Young, male"]);
    assert.deepEqual(Array.from(byYoung.test.labels), byYoung.test.ids.map(youngOf));
    const groupedByYoung = loadCelebA(fixtures.official as string, { groupAttribute: "Young" });
    assert.deepEqual(groupedByYoung.val.groupNames, ["not blond, not Young", "not blond, Young", "blond, not Young", "blond, Young"]);
    assert.deepEqual(Array.from(groupedByYoung.val.attributes.young), groupedByYoung.val.ids.map(youngOf));
    assert.equal(groupedByYoung.val.attributes.male, undefined);
  });

  it("refuses mismatched partition files, bad partitions, missing images, missing attributes and unknown folders", () => {
    const official = fixtures.official as string;
    const kaggle = fixtures["kaggle-nested"] as string;
    const partition = path.join("Eval", "list_eval_partition.txt");
    expectKitError(() => loadCelebA(editedCopy(official, partition, (l) => l.slice(0, -2))), "the same image ids", "2 not in", "000023.jpg, 000024.jpg");
    expectKitError(() => loadCelebA(editedCopy(official, partition, (l) => [...l, "000099.jpg 1"])), "1 not in", "list_attr_celeba.txt (e.g. 000099.jpg)");
    expectKitError(() => loadCelebA(editedCopy(official, partition, (l) => l.map((t, i) => (i === 4 ? t.replace(/0$/, "3") : t)))), "list_eval_partition.txt line 5, column partition", "one of 0, 1, 2", "found 3");
    expectKitError(() => loadCelebA(editedCopy(kaggle, "list_eval_partition.csv", (l) => [l[0], l[1], l[1], ...l.slice(3)])), "list_eval_partition.csv line 3, column image id", "already on line 2");
    expectKitError(() => loadCelebA(editedCopy(official, path.join("Anno", "list_attr_celeba.txt"), (l) => l.map((t, i) => (i === 1 ? t.replace("Young ", "") : i === 0 ? t : t.replace(/ +-?1$/, ""))))), "40 attribute names", "found 39");
    expectKitError(() => loadCelebA(official, { groupAttribute: "male" }), 'no "male" (did you mean "Male"?)');

    const noImages = editedCopy(kaggle, "list_eval_partition.csv", (l) => l);
    for (const id of ["000005.jpg", "000006.jpg", "000007.jpg", "000008.jpg"]) fs.rmSync(path.join(noImages, "img_align_celeba", "img_align_celeba", id));
    expectKitError(() => loadCelebA(noImages), "every image listed in", "4 of 24 missing, e.g. 000005.jpg, 000006.jpg, 000007.jpg");
    const noFirst = editedCopy(kaggle, "list_eval_partition.csv", (l) => l);
    fs.rmSync(path.join(noFirst, "img_align_celeba", "img_align_celeba", "000001.jpg"));
    expectKitError(() => loadCelebA(noFirst), "000001.jpg", "none of them holds it", "img_align_celeba.zip");

    expectKitError(() => loadCelebA(tempDir("masktune-celeba-empty-")), "neither Anno/list_attr_celeba.txt", "list_attr_celeba.csv");
    expectKitError(() => loadCelebA(path.join(official, "nowhere")), "no such folder");
  });
});
