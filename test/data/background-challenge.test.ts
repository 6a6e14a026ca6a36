import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { BG_VARIANTS, IN9_CLASSES, in9Label, loadBgChallenge, loadIn9l, MASKTUNE_BG_VARIANTS, sameForeground } from "../../lib/data/background-challenge";
import { fileSubset, ImageFileSet } from "../../lib/data/image-files";
import { writeBgChallengeFixture } from "../support/bg-challenge-fixture";
import { tempDir, writeText, writeTwoTone } from "../support/image-fixture";
import { expectKitError } from "../support/kit-error";
import { treeSnapshot } from "../support/tree-snapshot";

/** A copy of `fixture` changed by `edit` (which gets the copy's folder). */
function editedCopy(fixture: string, edit: (dir: string) => void): string {
  const dir = tempDir("masktune-bg-edit-");
  fs.cpSync(fixture, dir, { recursive: true });
  edit(dir);
  return dir;
}

/** What a set holds, with file paths relative to `base`: equal for the same samples under another root. */
function samples(set: ImageFileSet, base: string): { ids: string[]; labels: number[]; files: string[] } {
  return { ids: set.ids, labels: Array.from(set.labels), files: set.files.map((f) => path.relative(base, f)) };
}

describe("Background Challenge loader", () => {
  let release: string;
  let masktune: string;
  let small: string;
  before(async () => {
    release = await writeBgChallengeFixture(undefined, { layout: "release" });
    masktune = await writeBgChallengeFixture(undefined, { layout: "masktune" });
    small = await writeBgChallengeFixture(undefined, { perClass: 1 });
  });

  it("maps all nine class folders by their numeric prefix, the two with spaces included", () => {
    assert.deepEqual([...IN9_CLASSES], ["00_dog", "01_bird", "02_wheeled vehicle", "03_reptile", "04_carnivore", "05_insect", "06_musical instrument", "07_primate", "08_fish"]);
    assert.deepEqual(IN9_CLASSES.map((c) => in9Label(c)), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(in9Label("02_wheeled vehicle"), 2);
    assert.equal(in9Label("06_musical instrument"), 6);
    assert.equal(in9Label("05_insect"), 5);
    assert.equal(in9Label("08_fish"), 8);
  });

  it("refuses an unknown class folder, naming it (and the class its number stands for)", () => {
    expectKitError(() => in9Label("09_plant"), '"09_plant"', "unknown class folder", "in9_classes.txt");
    expectKitError(() => in9Label("02_vehicle"), '"02_vehicle" (class 2 is "02_wheeled vehicle")');
    expectKitError(() => in9Label("2_wheeled vehicle"), '"2_wheeled vehicle" (class 2 is "02_wheeled vehicle")');
    expectKitError(() => in9Label("dog"), '"dog"');
    const dir = editedCopy(small, (d) => fs.mkdirSync(path.join(d, "bg_challenge", "original", "val", "09_plant")));
    expectKitError(() => loadBgChallenge(dir), path.join(dir, "bg_challenge", "original", "val", "09_plant"), 'unknown class folder "09_plant"');
  });

  it("B13(a): the same file name in mixed_rand and mixed_next gives 2 distinct samples, both label 2 from the prefix, not the listing order", async () => {
    const dir = path.join(tempDir("masktune-bg-b13-"), "bg_challenge");
    for (const variant of ["mixed_rand", "mixed_next"]) {
      // class folders created out of order; "02_wheeled vehicle" is second in any listing, so a listing index would say 1
      for (const [folder, file] of [["06_musical instrument", "n0006_1.JPEG"], ["02_wheeled vehicle", "n0000_1.JPEG"], ["00_dog", "n0001_1.JPEG"]]) {
        await writeTwoTone(path.join(dir, variant, "val", folder, file), 8, 8, [10, 20, 30]);
      }
    }
    const { sets } = loadBgChallenge(dir, ["mixed_rand", "mixed_next"]);
    const pooled = [sets.mixed_rand, sets.mixed_next].flatMap((set) => set.ids.map((id, i) => ({ id, file: set.files[i], label: set.labels[i] })));
    const vehicles = pooled.filter((s) => s.id.endsWith("/02_wheeled vehicle/n0000_1.JPEG"));
    assert.deepEqual(vehicles.map((s) => s.id), ["mixed_rand/02_wheeled vehicle/n0000_1.JPEG", "mixed_next/02_wheeled vehicle/n0000_1.JPEG"]);
    assert.deepEqual(vehicles.map((s) => s.label), [2, 2]);
    assert.equal(new Set(vehicles.map((s) => s.file)).size, 2);
    assert.equal(new Map(pooled.map((s) => [s.id, s])).size, 6);
    assert.deepEqual(Array.from(sets.mixed_rand.labels), [0, 2, 6]);
  });

  it("reads the release layout: IN-9L train/val and the test variants, sorted by label then name, with counts; the folder is untouched", () => {
    const before = treeSnapshot(release);
    const in9l = loadIn9l(release);
    for (const [split, set] of [["train", in9l.train], ["val", in9l.val]] as const) {
      assert.equal(set.name, `in9l/${split}`);
      assert.equal(set.numClasses, 9);
      assert.deepEqual(Array.from(set.labels), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8]);
      assert.deepEqual(set.attributes, {});
      assert.ok(set.files.every((f, i) => path.isAbsolute(f) && fs.existsSync(f) && f.endsWith(path.join("in9l", ...set.ids[i].split("/")))));
    }
    assert.deepEqual(in9l.train.ids.slice(4, 6), ["train/02_wheeled vehicle/n04576211_3.JPEG", "train/02_wheeled vehicle/n04576211_4.JPEG"]);
    assert.equal(in9l.val.ids[0], "val/00_dog/n02084071_5.JPEG");
    assert.ok(in9l.source.includes(path.join(release, "in9l")), in9l.source);
    assert.match(in9l.source, /6\s+06_musical instrument\s+2\s+2/);
    assert.match(in9l.source, /total\s+18\s+18/);

    const all = loadBgChallenge(release, BG_VARIANTS);
    assert.deepEqual(Object.keys(all.sets), [...BG_VARIANTS]);
    for (const variant of BG_VARIANTS) {
      const set = all.sets[variant];
      assert.equal(set.name, `bg_challenge/${variant}`);
      assert.equal(set.files.length, 18);
      assert.ok(set.ids.every((id) => id.startsWith(`${variant}/`)));
    }
    assert.equal(all.sets.original.ids[0], "original/00_dog/n02084071_1.JPEG");
    assert.equal(all.sets.mixed_next.ids[17], "mixed_next/08_fish/fg_n02512053_2_bg_n02084071_2.JPEG");
    assert.match(all.source, /total\s+(18\s+){7}18$/m);
    assert.deepEqual(Object.keys(loadBgChallenge(release).sets), [...MASKTUNE_BG_VARIANTS]);
    assert.deepEqual(treeSnapshot(release), before);
  });

  it("gives the same samples from both layouts and every accepted folder", () => {
    const in9l = [loadIn9l(release), loadIn9l(path.join(release, "in9l")), loadIn9l(masktune)];
    const bases = [path.join(release, "in9l"), path.join(release, "in9l"), masktune];
    for (const split of ["train", "val"] as const) {
      const [first, ...others] = in9l.map((r, j) => samples(r[split], bases[j]));
      for (const other of others) assert.deepEqual(other, first);
    }
    const tests = [
      [release, path.join(release, "bg_challenge")],
      [path.join(release, "bg_challenge"), path.join(release, "bg_challenge")],
      [masktune, path.join(masktune, "test")],
      [path.join(masktune, "test"), path.join(masktune, "test")],
    ].map(([dir, base]) => ({ sets: loadBgChallenge(dir, BG_VARIANTS).sets, base }));
    for (const variant of BG_VARIANTS) {
      const [first, ...others] = tests.map((t) => samples(t.sets[variant], t.base));
      for (const other of others) assert.deepEqual(other, first);
    }
    const image = (root: string) => fs.readFileSync(path.join(root, "original", "val", "05_insect", "n02159955_2.JPEG"));
    assert.ok(image(path.join(release, "bg_challenge")).equals(image(path.join(masktune, "test"))));
  });

  it("refuses a missing variant folder, naming it and the download", () => {
    const dir = editedCopy(small, (d) => fs.rmSync(path.join(d, "bg_challenge", "mixed_next"), { recursive: true }));
    assert.equal(Object.keys(loadBgChallenge(dir).sets).length, 4);
    expectKitError(() => loadBgChallenge(dir, ["original", "mixed_next"]), path.join(dir, "bg_challenge", "mixed_next", "val"), 'the "mixed_next" test set', "no such folder", "backgrounds_challenge_data.tar.gz");
  });

  it("refuses an unknown variant name, listing the valid ones, and says fg_mask holds masks", () => {
    expectKitError(() => loadBgChallenge(small, ["original", "mixed"]), `one or more of ${BG_VARIANTS.join(", ")}`, '"mixed"');
    expectKitError(() => loadBgChallenge(small, ["fg_mask"]), '"fg_mask" (fg_mask holds .npy foreground masks, not images)');
    expectKitError(() => loadBgChallenge(small, []), "found none");
  });

  it("allows and reports an empty class folder, ignores other files, reads any image extension case; refuses a variant without images", () => {
    const dir = editedCopy(small, (d) => {
      const onlyFg = path.join(d, "bg_challenge", "only_fg", "val");
      fs.rmSync(path.join(onlyFg, "05_insect"), { recursive: true });
      fs.mkdirSync(path.join(onlyFg, "05_insect"));
      fs.mkdirSync(path.join(onlyFg, ".ipynb_checkpoints"));
      writeText(path.join(onlyFg, "00_dog", "Thumbs.db"), "");
      writeText(path.join(onlyFg, "00_dog", "n02084071_1.npy"), "");
      fs.copyFileSync(path.join(onlyFg, "01_bird", "n01503061_1.JPEG"), path.join(onlyFg, "01_bird", "n01503061_2.jpg"));
      fs.copyFileSync(path.join(onlyFg, "01_bird", "n01503061_1.JPEG"), path.join(onlyFg, "01_bird", "n01503061_3.Png"));
      for (const folder of IN9_CLASSES) fs.rmSync(path.join(d, "bg_challenge", "mixed_same", "val", folder, fs.readdirSync(path.join(d, "bg_challenge", "mixed_same", "val", folder))[0]));
    });
    const { sets, source } = loadBgChallenge(dir, ["original", "only_fg"]);
    assert.deepEqual(Array.from(sets.only_fg.labels), [0, 1, 1, 1, 2, 3, 4, 6, 7, 8]);
    assert.deepEqual(sets.only_fg.ids.slice(1, 4), ["only_fg/01_bird/n01503061_1.JPEG", "only_fg/01_bird/n01503061_2.jpg", "only_fg/01_bird/n01503061_3.Png"]);
    assert.match(source, /5\s+05_insect\s+1\s+0/);
    assert.ok(source.includes("no images (empty or missing class folder): only_fg/05_insect"), source);
    expectKitError(() => loadBgChallenge(dir, ["mixed_same"]), path.join(dir, "bg_challenge", "mixed_same", "val"), "9 class folder(s) without images");
  });

  it("prefers bg_challenge/ over training archives beside it, and refuses a training archive passed as a test set", () => {
    const trainingArchive = (d: string) => {
      for (const split of ["train", "val"]) writeText(path.join(d, "original", split, "00_dog", "n02084071_99.JPEG"), "");
    };
    const beside = editedCopy(small, trainingArchive);
    assert.equal(loadBgChallenge(beside).sets.original.files.length, 9);
    const alone = tempDir("masktune-bg-train-");
    trainingArchive(alone);
    expectKitError(() => loadBgChallenge(alone, ["original"]), path.join(alone, "original"), "training archive original.tar.gz");
  });

  it("refuses folders that are not IN-9L, naming the missing one", () => {
    expectKitError(() => loadIn9l(path.join(small, "nowhere")), "no such folder", "in9l.tar.gz");
    expectKitError(() => loadIn9l(path.join(small, "bg_challenge")), "a folder holding in9l/", "found neither");
    const noVal = editedCopy(small, (d) => fs.rmSync(path.join(d, "in9l", "val"), { recursive: true }));
    expectKitError(() => loadIn9l(noVal), path.join(noVal, "in9l", "val"), "no such folder");
    expectKitError(() => loadBgChallenge(path.join(small, "in9l")), "none of the variants");
  });

  it("sameForeground finds an original's foreground in every variant, by the fg part of mixed_* names", () => {
    const { sets } = loadBgChallenge(release, BG_VARIANTS);
    const original = sets.original;
    for (let i = 0; i < original.ids.length; i++) {
      const found = sameForeground(sets, i);
      assert.deepEqual(Object.keys(found), [...BG_VARIANTS]);
      assert.equal(found.original, i);
      const stem = path.basename(original.files[i], ".JPEG");
      for (const variant of BG_VARIANTS) {
        const j = found[variant];
        assert.ok(j !== undefined, `${variant} lacks ${stem}`);
        assert.equal(sets[variant].labels[j], original.labels[i]);
        const name = path.basename(sets[variant].files[j]);
        assert.ok(variant.startsWith("mixed_") ? name.startsWith(`fg_${stem}_bg_`) : name === `${stem}.JPEG`, `${variant}: ${name}`);
      }
    }
    assert.equal(sets.mixed_rand.ids[sameForeground(sets, 5).mixed_rand!], "mixed_rand/02_wheeled vehicle/fg_n04576211_2_bg_n02512053_2.JPEG");
    const withoutIt = { original, mixed_rand: fileSubset(sets.mixed_rand, [0, 1, 2, 3, 4, 6]) };
    assert.deepEqual(sameForeground(withoutIt, 5), { original: 5, mixed_rand: undefined });
    assert.throws(() => sameForeground(sets, 18), RangeError);
    expectKitError(() => sameForeground({ mixed_rand: sets.mixed_rand }, 0), 'the "original" set', "found mixed_rand");
  });
});
