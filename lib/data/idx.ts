/**
 * Reader for the IDX files of MNIST and Fashion-MNIST (LeCun's format):
 * big-endian header, then uint8 data in C order. Gzip is detected by its magic
 * bytes, not by the file name. Every malformed file gives a KitError naming it.
 */
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { KitError } from "../errors";

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const REDOWNLOAD = "Re-download the file (the MNIST IDX files, .gz or uncompressed).";

function readMaybeGzipped(file: string): Buffer {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file);
  } catch (e) {
    throw new KitError(file, "a readable file", `an error (${(e as Error).message})`, "Check the path given with --data.");
  }
  if (raw.length === 0) throw new KitError(file, "an IDX file", "an empty file", REDOWNLOAD);
  if (raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  try {
    return zlib.gunzipSync(raw);
  } catch (e) {
    throw new KitError(file, "a complete gzip stream", `a broken one (${(e as Error).message})`, REDOWNLOAD);
  }
}

/** Parses one IDX file holding uint8 values with the expected number of dimensions. */
export function readIdxUint8(file: string, expectedDims: number): IdxArray {
  const buf = readMaybeGzipped(file);
  if (buf.length < 4) throw new KitError(file, "an IDX header (at least 4 bytes)", `${buf.length} bytes`, REDOWNLOAD);
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new KitError(file, "an IDX magic number starting with two zero bytes", `0x${buf.subarray(0, 4).toString("hex")}`, "This is not an IDX file; " + REDOWNLOAD);
  }
  if (buf[2] !== 0x08) {
    throw new KitError(file, "IDX type code 0x08 (uint8)", `0x${buf[2].toString(16).padStart(2, "0")}`, "MNIST files hold uint8 values; " + REDOWNLOAD);
  }
  const nDims = buf[3];
  if (nDims !== expectedDims) {
    throw new KitError(file, `${expectedDims} dimension(s)`, `${nDims}`, "Image and label files may have been swapped; check the file names.");
  }
  const header = 4 + 4 * nDims;
  if (buf.length < header) throw new KitError(file, `a ${header}-byte header`, `${buf.length} bytes`, REDOWNLOAD);
  const dims = Array.from({ length: nDims }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  const expectedLength = header + dims.reduce((a, b) => a * b, 1);
  if (buf.length !== expectedLength) {
    const what = buf.length < expectedLength ? "(file truncated?)" : "(trailing bytes after the data)";
    throw new KitError(file, `${expectedLength.toLocaleString("en-US")} bytes for dimensions [${dims.join(", ")}]`, `${buf.length.toLocaleString("en-US")} ${what}`, REDOWNLOAD);
  }
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + header, buf.length - header) };
}

/** Throws a KitError unless `dir` is an existing folder. */
export function requireIdxFolder(dir: string): void {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new KitError(dir, "a folder with the four MNIST IDX files", "no such folder", "Check the path given with --data (see datasets/README.md).");
  }
}

/** The first existing file among the accepted spellings (with or without .gz, '-' or '.' before idx). */
export function findIdxFile(dir: string, stem: string, kind: "idx3" | "idx1"): string {
  requireIdxFolder(dir);
  const candidates = [`${stem}-${kind}-ubyte`, `${stem}.${kind}-ubyte`].flatMap((n) => [n, `${n}.gz`]);
  for (const name of candidates) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return file;
  }
  throw new KitError(dir, `one of ${candidates.join(", ")}`, "none of them", "Download the four MNIST IDX files into this folder (see datasets/README.md).");
}
