/**
 * A small reader for MATLAB Level 5 MAT-files (the format of the SVHN files):
 * a 128-byte header, then data elements back to back, each variable an
 * miMATRIX, usually wrapped in its own zlib stream (miCOMPRESSED). It returns
 * the real part of requested numeric arrays, column-major as stored, in the
 * typed array of the array's class. v7.3 (HDF5), Level 4, complex, sparse,
 * cell and struct data, and truncated files are refused with a KitError.
 */
import * as fs from "fs";
import * as os from "os";
import * as zlib from "zlib";
import { KitError } from "../errors";

export type MatData = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

export interface MatArray {
  name: string;
  dims: number[];
  /** MATLAB class: "double", "single", "uint8", ... */
  className: string;
  /** Real part, column-major. */
  data: MatData;
}

const MI = { INT8: 1, UINT8: 2, INT16: 3, UINT16: 4, INT32: 5, UINT32: 6, SINGLE: 7, DOUBLE: 9, INT64: 12, UINT64: 13, MATRIX: 14, COMPRESSED: 15 } as const;

/** A numeric storage type: element size, the class with the same memory layout, a reader. */
interface Storage {
  size: number;
  sameAs: string;
  read(view: DataView, offset: number, le: boolean): number;
}

const STORAGE: Record<number, Storage> = {
  [MI.INT8]: { size: 1, sameAs: "int8", read: (v, o) => v.getInt8(o) },
  [MI.UINT8]: { size: 1, sameAs: "uint8", read: (v, o) => v.getUint8(o) },
  [MI.INT16]: { size: 2, sameAs: "int16", read: (v, o, le) => v.getInt16(o, le) },
  [MI.UINT16]: { size: 2, sameAs: "uint16", read: (v, o, le) => v.getUint16(o, le) },
  [MI.INT32]: { size: 4, sameAs: "int32", read: (v, o, le) => v.getInt32(o, le) },
  [MI.UINT32]: { size: 4, sameAs: "uint32", read: (v, o, le) => v.getUint32(o, le) },
  [MI.SINGLE]: { size: 4, sameAs: "single", read: (v, o, le) => v.getFloat32(o, le) },
  [MI.DOUBLE]: { size: 8, sameAs: "double", read: (v, o, le) => v.getFloat64(o, le) },
  [MI.INT64]: { size: 8, sameAs: "int64", read: (v, o, le) => Number(v.getBigInt64(o, le)) },
  [MI.UINT64]: { size: 8, sameAs: "uint64", read: (v, o, le) => Number(v.getBigUint64(o, le)) },
};

/** The array classes returned, by mx class code. */
const CLASSES: Record<number, { name: string; alloc(n: number): MatData }> = {
  6: { name: "double", alloc: (n) => new Float64Array(n) },
  7: { name: "single", alloc: (n) => new Float32Array(n) },
  8: { name: "int8", alloc: (n) => new Int8Array(n) },
  9: { name: "uint8", alloc: (n) => new Uint8Array(n) },
  10: { name: "int16", alloc: (n) => new Int16Array(n) },
  11: { name: "uint16", alloc: (n) => new Uint16Array(n) },
  12: { name: "int32", alloc: (n) => new Int32Array(n) },
  13: { name: "uint32", alloc: (n) => new Uint32Array(n) },
};
const UNSUPPORTED_CLASSES: Record<number, string> = { 1: "cell", 2: "struct", 3: "object", 4: "char", 5: "sparse", 14: "int64", 15: "uint64" };

const FLAG_LOGICAL = 0x200;
const FLAG_COMPLEX = 0x800;
const HEADER = 128;
const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
const HOST_LE = os.endianness() === "LE";

const REDOWNLOAD = "The file is truncated or damaged; re-download it.";
const RESAVE = "Save it with MATLAB's -v7 option, or use the official SVHN files (which are Level 5).";

interface Element {
  type: number;
  /** Byte offset of the data. */
  start: number;
  length: number;
  /** Byte offset of the next element (after any padding). */
  next: number;
}

/** One buffer of data elements (the file, or one inflated variable) in the file's byte order. */
class Elements {
  readonly view: DataView;

  constructor(
    readonly file: string,
    readonly buf: Buffer,
    readonly le: boolean,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  }

  uint32(offset: number): number {
    return this.view.getUint32(offset, this.le);
  }

  /** The element whose tag is at `offset`; it must end by `end`. */
  at(offset: number, end: number): Element {
    if (offset + 8 > end) throw this.truncated(`an 8-byte element tag at byte ${offset}`, end - offset);
    const first = this.uint32(offset);
    // Small element: byte count in the upper 16 bits, data in the tag's second word.
    if (first >>> 16 !== 0) {
      const length = first >>> 16;
      if (length > 4) throw this.malformed(`a small element of at most 4 bytes at byte ${offset}`, `${length} bytes`);
      return { type: first & 0xffff, start: offset + 4, length, next: offset + 8 };
    }
    const length = this.uint32(offset + 4);
    const start = offset + 8;
    if (start + length > end) throw this.truncated(`${length.toLocaleString("en-US")} bytes of data after the tag at byte ${offset}`, end - start);
    // Compressed and matrix elements are not padded; the others are to 8 bytes.
    const padded = first === MI.COMPRESSED || first === MI.MATRIX ? length : Math.ceil(length / 8) * 8;
    return { type: first, start, length, next: start + padded };
  }

  truncated(expected: string, left: number): KitError {
    return new KitError(this.file, expected, `${Math.max(left, 0).toLocaleString("en-US")} bytes left (file truncated?)`, REDOWNLOAD);
  }

  malformed(expected: string, found: string): KitError {
    return new KitError(this.file, expected, found, REDOWNLOAD);
  }
}

/** Checks the 128-byte header; returns whether the file is little-endian. */
function readHeader(file: string, buf: Buffer): boolean {
  const text = buf.toString("latin1", 0, Math.min(116, buf.length));
  if (text.startsWith("MATLAB 7.3") || (buf.length >= 520 && buf.subarray(512, 520).equals(HDF5_SIGNATURE))) {
    throw new KitError(file, "a MATLAB Level 5 MAT-file", "a v7.3 MAT-file (HDF5), which this reader cannot read", RESAVE);
  }
  if (buf.length === 0) throw new KitError(file, "a MATLAB Level 5 MAT-file", "an empty file", REDOWNLOAD);
  if (!text.startsWith("MATLAB 5.0 MAT-file")) {
    throw new KitError(file, 'a MATLAB Level 5 MAT-file (header text "MATLAB 5.0 MAT-file")', "no such header (a Level 4 MAT-file, or not a MAT-file)", RESAVE);
  }
  if (buf.length < HEADER) throw new KitError(file, "a 128-byte MAT-file header", `${buf.length} bytes (file truncated?)`, REDOWNLOAD);
  const endian = buf.toString("latin1", 126, 128);
  if (endian !== "IM" && endian !== "MI") throw new KitError(file, 'the endian indicator "IM" or "MI" at byte 126', JSON.stringify(endian), REDOWNLOAD);
  return endian === "IM";
}

/** The miMATRIX inside a compressed element (each variable is its own zlib stream). */
function inflate(outer: Elements, el: Element): { elements: Elements; element: Element } {
  let inner: Buffer;
  try {
    inner = zlib.inflateSync(outer.buf.subarray(el.start, el.start + el.length));
  } catch (e) {
    throw new KitError(outer.file, `a complete zlib stream in the compressed element at byte ${el.start - 8}`, `a broken one (${(e as Error).message}; file truncated?)`, REDOWNLOAD);
  }
  const elements = new Elements(outer.file, inner, outer.le);
  return { elements, element: elements.at(0, inner.length) };
}

/** The real part as the class's typed array; the storage type may differ from the class. */
function realPart(s: Elements, el: Element, dims: number[], cls: { name: string; alloc(n: number): MatData }, name: string): MatData {
  const storage = STORAGE[el.type];
  if (!storage) throw s.malformed(`a numeric data type for the values of ${name}`, `type code ${el.type}`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (el.length !== count * storage.size) {
    throw s.malformed(`${(count * storage.size).toLocaleString("en-US")} bytes of values for ${name} [${dims.join(", ")}]`, `${el.length.toLocaleString("en-US")} bytes`);
  }
  const out = cls.alloc(count);
  if (storage.sameAs === cls.name && (storage.size === 1 || s.le === HOST_LE)) {
    new Uint8Array(out.buffer).set(s.buf.subarray(el.start, el.start + el.length));
  } else {
    for (let i = 0; i < count; i++) out[i] = storage.read(s.view, el.start + i * storage.size, s.le);
  }
  return out;
}

/** An miMATRIX's name, and the array itself when the name is wanted. */
function readMatrix(s: Elements, matrix: Element, wanted: Set<string>): { name: string; array?: MatArray } {
  const end = matrix.start + matrix.length;
  const flags = s.at(matrix.start, end);
  if (flags.type !== MI.UINT32 || flags.length !== 8) throw s.malformed(`array flags (8 bytes of miUINT32) at byte ${matrix.start}`, `type ${flags.type}, ${flags.length} bytes`);
  const flagWord = s.uint32(flags.start);
  const dimsEl = s.at(flags.next, end);
  if (dimsEl.type !== MI.INT32 || dimsEl.length < 8 || dimsEl.length % 4 !== 0) {
    throw s.malformed(`array dimensions (miINT32, at least 2) at byte ${flags.next}`, `type ${dimsEl.type}, ${dimsEl.length} bytes`);
  }
  const dims = Array.from({ length: dimsEl.length / 4 }, (_, i) => s.view.getInt32(dimsEl.start + 4 * i, s.le));
  const nameEl = s.at(dimsEl.next, end);
  if (nameEl.type !== MI.INT8 && nameEl.type !== MI.UINT8) throw s.malformed(`an array name (miINT8) at byte ${dimsEl.next}`, `type ${nameEl.type}`);
  const name = s.buf.toString("latin1", nameEl.start, nameEl.start + nameEl.length);
  if (!wanted.has(name)) return { name };

  const cls = CLASSES[flagWord & 0xff];
  const refuse = (found: string) => new KitError(s.file, `variable ${name} as a real numeric array`, found, "Only real numeric arrays are read; re-save the variable as one, or use the official files.");
  if (!cls) throw refuse(`a ${UNSUPPORTED_CLASSES[flagWord & 0xff] ?? `class ${flagWord & 0xff}`} array`);
  if (flagWord & FLAG_COMPLEX) throw refuse("a complex array");
  if (flagWord & FLAG_LOGICAL) throw refuse("a logical array");
  if (dims.some((d) => d < 0)) throw s.malformed(`non-negative dimensions for ${name}`, `[${dims.join(", ")}]`);
  const data = realPart(s, s.at(nameEl.next, end), dims, cls, name);
  return { name, array: { name, dims, className: cls.name, data } };
}

/** The variables `names` of a Level 5 MAT-file; other variables are skipped. */
export function readMatFile(file: string, names: string[]): Record<string, MatArray> {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new KitError(file, "a readable MAT-file", `an error (${(e as Error).message})`, "Check the path.");
  }
  const top = new Elements(file, buf, readHeader(file, buf));
  const wanted = new Set(names);
  const found: Record<string, MatArray> = {};
  const seen: string[] = [];
  for (let offset = HEADER; offset < buf.length && Object.keys(found).length < wanted.size; ) {
    const el = top.at(offset, buf.length);
    const matrix = el.type === MI.COMPRESSED ? inflate(top, el) : { elements: top, element: el };
    if (matrix.element.type === MI.MATRIX && matrix.element.length > 0) {
      const { name, array } = readMatrix(matrix.elements, matrix.element, wanted);
      seen.push(name);
      if (array) found[name] = array;
    }
    offset = el.next;
  }
  const missing = names.filter((n) => !(n in found));
  if (missing.length > 0) {
    const holds = seen.length > 0 ? `it holds ${seen.join(", ")}` : "it holds no arrays";
    throw new KitError(file, `variable(s) ${names.join(", ")}`, `no ${missing.join(", ")} (${holds})`, "Check that this is the right file; re-download it.");
  }
  return found;
}
