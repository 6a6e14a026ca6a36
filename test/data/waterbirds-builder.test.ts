import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import sharp from "sharp";
import { buildWaterbirds, WaterbirdsBuildOptions, waterbirdLabel } from "../../lib/data/waterbirds-builder";
import { WATERBIRDS_COLUMNS } from "../../lib/data/waterbirds";
import { readCsvTable } from "../../lib/data/text-table";
import { CUB_FIXTURE_COLOURS, CubPlacesFixture, writeCubPlacesFixture } from "../support/cub-places-fixture";
import { centreBox, tempDir, writeText } from "../support/image-fixture";
import { Rgb } from "../support/pipeline-fixture";
import { expectKitErrorAsync } from "../support/kit-error";
import { treeSnapshot } from "../support/tree-snapshot";

/** The 200 CUB-200-2011 class folders (classes.txt), numbered 001-200. */
const CUB_CLASSES = [
  "Black_footed_Albatross", "Laysan_Albatross", "Sooty_Albatross", "Groove_billed_Ani", "Crested_Auklet", "Least_Auklet", "Parakeet_Auklet", "Rhinoceros_Auklet",
  "Brewer_Blackbird", "Red_winged_Blackbird", "Rusty_Blackbird", "Yellow_headed_Blackbird", "Bobolink", "Indigo_Bunting", "Lazuli_Bunting", "Painted_Bunting",
  "Cardinal", "Spotted_Catbird", "Gray_Catbird", "Yellow_breasted_Chat", "Eastern_Towhee", "Chuck_will_Widow", "Brandt_Cormorant", "Red_faced_Cormorant",
  "Pelagic_Cormorant", "Bronzed_Cowbird", "Shiny_Cowbird", "Brown_Creeper", "American_Crow", "Fish_Crow", "Black_billed_Cuckoo", "Mangrove_Cuckoo",
  "Yellow_billed_Cuckoo", "Gray_crowned_Rosy_Finch", "Purple_Finch", "Northern_Flicker", "Acadian_Flycatcher", "Great_Crested_Flycatcher", "Least_Flycatcher",
  "Olive_sided_Flycatcher", "Scissor_tailed_Flycatcher", "Vermilion_Flycatcher", "Yellow_bellied_Flycatcher", "Frigatebird", "Northern_Fulmar", "Gadwall",
  "American_Goldfinch", "European_Goldfinch", "Boat_tailed_Grackle", "Eared_Grebe", "Horned_Grebe", "Pied_billed_Grebe", "Western_Grebe", "Blue_Grosbeak",
  "Evening_Grosbeak", "Pine_Grosbeak", "Rose_breasted_Grosbeak", "Pigeon_Guillemot", "California_Gull", "Glaucous_winged_Gull", "Heermann_Gull", "Herring_Gull",
  "Ivory_Gull", "Ring_billed_Gull", "Slaty_backed_Gull", "Western_Gull", "Anna_Hummingbird", "Ruby_throated_Hummingbird", "Rufous_Hummingbird", "Green_Violetear",
  "Long_tailed_Jaeger", "Pomarine_Jaeger", "Blue_Jay", "Florida_Jay", "Green_Jay", "Dark_eyed_Junco", "Tropical_Kingbird", "Gray_Kingbird", "Belted_Kingfisher",
  "Green_Kingfisher", "Pied_Kingfisher", "Ringed_Kingfisher", "White_breasted_Kingfisher", "Red_legged_Kittiwake", "Horned_Lark", "Pacific_Loon", "Mallard",
  "Western_Meadowlark", "Hooded_Merganser", "Red_breasted_Merganser", "Mockingbird", "Nighthawk", "Clark_Nutcracker", "White_breasted_Nuthatch",
  "Baltimore_Oriole", "Hooded_Oriole", "Orchard_Oriole", "Scott_Oriole", "Ovenbird", "Brown_Pelican", "White_Pelican", "Western_Wood_Pewee", "Sayornis",
  "American_Pipit", "Whip_poor_Will", "Horned_Puffin", "Common_Raven", "White_necked_Raven", "American_Redstart", "Geococcyx", "Loggerhead_Shrike",
  "Great_Grey_Shrike", "Baird_Sparrow", "Black_throated_Sparrow", "Brewer_Sparrow", "Chipping_Sparrow", "Clay_colored_Sparrow", "House_Sparrow",
  "Field_Sparrow", "Fox_Sparrow", "Grasshopper_Sparrow", "Harris_Sparrow", "Henslow_Sparrow", "Le_Conte_Sparrow", "Lincoln_Sparrow",
  "Nelson_Sharp_tailed_Sparrow", "Savannah_Sparrow", "Seaside_Sparrow", "Song_Sparrow", "Tree_Sparrow", "Vesper_Sparrow", "White_crowned_Sparrow",
  "White_throated_Sparrow", "Cape_Glossy_Starling", "Bank_Swallow", "Barn_Swallow", "Cliff_Swallow", "Tree_Swallow", "Scarlet_Tanager", "Summer_Tanager",
  "Artic_Tern", "Black_Tern", "Caspian_Tern", "Common_Tern", "Elegant_Tern", "Forsters_Tern", "Least_Tern", "Green_tailed_Towhee", "Brown_Thrasher",
  "Sage_Thrasher", "Black_capped_Vireo", "Blue_headed_Vireo", "Philadelphia_Vireo", "Red_eyed_Vireo", "Warbling_Vireo", "White_eyed_Vireo",
  "Yellow_throated_Vireo", "Bay_breasted_Warbler", "Black_and_white_Warbler", "Black_throated_Blue_Warbler", "Blue_winged_Warbler", "Canada_Warbler",
  "Cape_May_Warbler", "Cerulean_Warbler", "Chestnut_sided_Warbler", "Golden_winged_Warbler", "Hooded_Warbler", "Kentucky_Warbler", "Magnolia_Warbler",
  "Mourning_Warbler", "Myrtle_Warbler", "Nashville_Warbler", "Orange_crowned_Warbler", "Palm_Warbler", "Pine_Warbler", "Prairie_Warbler",
  "Prothonotary_Warbler", "Swainson_Warbler", "Tennessee_Warbler", "Wilson_Warbler", "Worm_eating_Warbler", "Yellow_Warbler", "Northern_Waterthrush",
  "Louisiana_Waterthrush", "Bohemian_Waxwing", "Cedar_Waxwing", "American_Three_toed_Woodpecker", "Pileated_Woodpecker", "Red_bellied_Woodpecker",
  "Red_cockaded_Woodpecker", "Red_headed_Woodpecker", "Downy_Woodpecker", "Bewick_Wren", "Cactus_Wren", "Carolina_Wren", "House_Wren", "Marsh_Wren",
  "Rock_Wren", "Winter_Wren", "Common_Yellowthroat",
].map((name, i) => `${String(i + 1).padStart(3, "0")}.${name}`);

/** The y = 1 class numbers of the original script (datasets.md §6.3). */
const ORIGINAL_WATERBIRDS = [
  ...[1, 2, 3, 5, 6, 7, 8, 21, 23, 24, 25, 44, 45, 46, 50, 51, 52, 53, 58],
  ...[59, 60, 61, 62, 63, 64, 65, 66, 71, 72, 84, 86, 87, 88, 89, 90, 100, 101, 102, 106],
  ...[141, 142, 143, 144, 145, 146, 147],
];
const MISLABELLED = ["021.Eastern_Towhee", "088.Western_Meadowlark", "102.Western_Wood_Pewee"];

type Metadata = Record<string, string>[];

function readMetadata(file: string): Metadata {
  const { header, rows } = readCsvTable(file, "");
  return rows.map((r) => Object.fromEntries(header.map((h, j) => [h, r.fields[j]])));
}

/** Python's round(), as the builder uses it. */
const roundHalfEven = (x: number) => (x % 1 === 0.5 && Math.round(x) % 2 === 1 ? Math.round(x) - 1 : Math.round(x));

/** The RGB of pixel (x, y) of an image file. */
async function pixelAt(file: string, x: number, y: number): Promise<Rgb> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [data[at], data[at + 1], data[at + 2]];
}

function assertNear(found: Rgb, expected: Rgb, tolerance: number, what: string): void {
  assert.ok(found.every((v, c) => Math.abs(v - expected[c]) <= tolerance), `${what}: ${found} vs ${expected}`);
}

describe("Waterbirds labels", () => {
  it("original substring matching gives the 46 waterbird species of datasets.md §6.3; whole words drop exactly the three land birds", () => {
    const original = CUB_CLASSES.filter((c) => waterbirdLabel(c, "original") === 1);
    const corrected = CUB_CLASSES.filter((c) => waterbirdLabel(c, "corrected") === 1);
    assert.deepEqual(original.map((c) => Number(c.slice(0, 3))), ORIGINAL_WATERBIRDS);
    assert.deepEqual(original.filter((c) => !corrected.includes(c)), MISLABELLED);
    assert.equal(corrected.length, 43);
    assert.ok(corrected.every((c) => original.includes(c)));
    for (const c of ["053.Western_Grebe", "066.Western_Gull", "086.Pacific_Loon", "141.Artic_Tern", "045.Northern_Fulmar"]) assert.equal(waterbirdLabel(c, "corrected"), 1, c);
  });
});

describe("Waterbirds builder", () => {
  let fixture: CubPlacesFixture;
  let sources: string[];
  let outDir: string;
  const build = (options: Partial<WaterbirdsBuildOptions> = {}) => {
    outDir = path.join(tempDir("masktune-waterbirds-build-"), "out");
    return buildWaterbirds({ cubDir: fixture.cubDir, placesDir: fixture.placesDir, outDir, seed: 7, ...options });
  };
  before(async () => {
    fixture = await writeCubPlacesFixture();
    sources = treeSnapshot(path.dirname(fixture.cubDir));
  });
  after(() => assert.deepEqual(treeSnapshot(path.dirname(fixture.cubDir)), sources, "the CUB and Places folders changed"));

  it("corrects exactly the three mislabelled species, follows the script's split and place sizes, and composites bird over background", async () => {
    const lines: string[] = [];
    const result = await build({ log: (line) => lines.push(line) });
    assert.deepEqual(result.changedSpecies, MISLABELLED);
    assert.equal(result.changedImages, 12);
    assert.equal(result.excluded, 0);
    assert.ok(lines.some((l) => l.includes("corrected the labels of 12 image(s) of 021.Eastern_Towhee, 088.Western_Meadowlark, 102.Western_Wood_Pewee")), lines.join("\n"));

    assert.equal(result.metadataFile, path.join(outDir, "metadata.csv"));
    assert.ok(fs.readFileSync(result.metadataFile, "utf8").startsWith(WATERBIRDS_COLUMNS.join(",") + "\r\n"));
    const rows = readMetadata(result.metadataFile);
    assert.deepEqual(rows.map((r) => r.img_filename), fixture.filenames);
    assert.deepEqual(rows.map((r) => r.img_id), fixture.filenames.map((_, i) => String(i + 1)));
    const ySpecies = (y: string) => [...new Set(rows.filter((r) => r.y === y).map((r) => r.img_filename.split("/")[0]))];
    assert.deepEqual(ySpecies("1"), ["053.Western_Grebe", "059.California_Gull", "086.Pacific_Loon"]);

    // CUB test images (every fourth) → 2; round(0.2 · 21) = 4 of the training images → 1
    assert.deepEqual(rows.filter((r) => r.split === "2").map((r) => Number(r.img_id) % 4), [0, 0, 0, 0, 0, 0, 0]);
    assert.equal(rows.filter((r) => r.split === "1").length, 4);
    for (const split of ["0", "1", "2"]) {
      for (const y of ["0", "1"]) {
        const members = rows.filter((r) => r.split === split && r.y === y);
        const onWater = split !== "0" ? 0.5 : y === "1" ? 0.95 : 0.05;
        assert.equal(members.filter((r) => r.place === "1").length, roundHalfEven(onWater * members.length), `split ${split}, y ${y}`);
      }
    }
    assert.deepEqual(result.groupCounts.test, [2, 2, 1, 2]);
    assert.equal(new Set(rows.map((r) => r.place_filename)).size, rows.length);
    assert.ok(rows.every((r) => (r.place === "1" ? /^\/(o\/ocean|l\/lake\/natural)\/\d{8}\.jpg$/ : /^\/(b\/bamboo_forest|f\/forest\/broadleaf)\/\d{8}\.jpg$/).test(r.place_filename)));

    for (const r of rows) {
      const file = path.join(outDir, r.img_filename);
      const { width, height } = await sharp(file).metadata();
      const box = centreBox(width as number, height as number);
      assertNear(await pixelAt(file, Math.floor((box.left + box.right) / 2), Math.floor((box.top + box.bottom) / 2)), CUB_FIXTURE_COLOURS.bird, 12, `${r.img_filename} bird`);
      assertNear(await pixelAt(file, 1, 1), r.place === "1" ? CUB_FIXTURE_COLOURS.water : CUB_FIXTURE_COLOURS.land, 12, `${r.img_filename} background`);
    }
    const record = JSON.parse(fs.readFileSync(path.join(outDir, "waterbirds-build.json"), "utf8"));
    assert.equal(record.seed, 7);
    assert.equal(record.labels, "corrected");
  });

  it("keeps the substring bug with labels: original", async () => {
    const result = await build({ labels: "original" });
    assert.deepEqual(result.changedSpecies, []);
    assert.equal(result.changedImages, 0);
    const rows = readMetadata(result.metadataFile);
    for (const species of MISLABELLED) assert.ok(rows.filter((r) => r.img_filename.startsWith(species)).every((r) => r.y === "1"), species);
  });

  it("reproduces the same metadata and images from the same seed, and other draws from another", async () => {
    await build({ seed: 11 });
    const first = outDir;
    await build({ seed: 11 });
    const read = (dir: string, name: string) => fs.readFileSync(path.join(dir, name));
    assert.ok(read(first, "metadata.csv").equals(read(outDir, "metadata.csv")));
    assert.ok(read(first, fixture.filenames[5]).equals(read(outDir, fixture.filenames[5])));
    await build({ seed: 12 });
    assert.notDeepEqual(readMetadata(path.join(outDir, "metadata.csv")), readMetadata(path.join(first, "metadata.csv")));
  });

  it("drops the images of an exclusion list (ids or file names) and refuses unknown entries", async () => {
    const list = path.join(tempDir("masktune-exclusions-"), "multiple-birds.txt");
    writeText(list, `# images with more than one bird\n3\n${fixture.filenames[9]}\n\n`);
    const result = await build({ exclusionList: list });
    assert.equal(result.excluded, 2);
    const rows = readMetadata(result.metadataFile);
    assert.equal(rows.length, fixture.filenames.length - 2);
    assert.ok(!rows.some((r) => r.img_id === "3" || r.img_id === "10"));
    assert.ok(!fs.existsSync(path.join(outDir, fixture.filenames[2])));

    writeText(list, "3\n001.Black_footed_Albatross/Black_Footed_Albatross_0046_18.jpg\n");
    await expectKitErrorAsync(() => build({ exclusionList: list }), "multiple-birds.txt", "1 not in images.txt", "Black_Footed_Albatross_0046_18.jpg");
  });

  it("refuses a missing segmentation, an output folder inside a source or with files, and bad options", async () => {
    const broken = await writeCubPlacesFixture(undefined, 1);
    fs.rmSync(path.join(path.dirname(broken.cubDir), "segmentations", broken.filenames[2].replace(".jpg", ".png")));
    await expectKitErrorAsync(() => buildWaterbirds({ cubDir: broken.cubDir, placesDir: broken.placesDir, outDir: path.join(tempDir("masktune-out-"), "o"), seed: 1 }), "1 of 7 missing", "(as .png)");
    await expectKitErrorAsync(() => buildWaterbirds({ cubDir: fixture.cubDir, placesDir: fixture.placesDir, outDir: path.join(fixture.cubDir, "out"), seed: 1 }), "a folder inside");
    await expectKitErrorAsync(() => buildWaterbirds({ cubDir: fixture.cubDir, placesDir: fixture.placesDir, outDir: fixture.placesDir, seed: 1 }), "a folder inside");
    await expectKitErrorAsync(() => buildWaterbirds({ cubDir: fixture.cubDir, placesDir: fixture.placesDir, outDir: path.dirname(fixture.cubDir), seed: 1 }), "a new or empty folder");
    await expectKitErrorAsync(() => build({ confounderStrength: 1.5 }), "confounderStrength", "from 0 to 1");
  });
});
