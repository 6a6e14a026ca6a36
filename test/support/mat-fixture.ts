/**
 * Writes small MATLAB Level 5 MAT-files (the real format, laid out as scipy's
 * savemat does: names and real parts of at most 4 bytes as small elements,
 * each variable optionally in its own zlib stream) for the loader tests.
 */
import * as fs from "fs";
import * as zlib from "zlib";

type NumericClass = "uint8" | "double";

export interface MatVariable {
  name: string;
  className: NumericClass;
  dims: number[];
  /** Column-major values. */
  values: ArrayLike<number>;
  /** Storage type of the real part when it differs from the class (MATLAB may store doubles as miUINT8). */
  storedAs?: NumericClass;
}

export interface MatOptions {
  compress?: boolean;
  bigEndian?: boolean;
}

const MI_INT8 = 1;
const MI_INT32 = 5;
const MI_UINT32 = 6;
const MI_MATRIX = 14;
const MI_COMPRESSED = 15;
const TYPES: Record<NumericClass, { mi: number; mx: number; size: number }> = {
  uint8: { mi: 2, mx: 9, size: 1 },
  double: { mi: 9, mx: 6, size: 8 },
};

class MatWriter {
  constructor(private readonly le: boolean) {}

  uint(value: number, bytes: 2 | 4): Buffer {
    const b = Buffer.alloc(bytes);
    if (this.le) b.writeUIntLE(value, 0, bytes);
    else b.writeUIntBE(value, 0, bytes);
    return b;
  }

  /** A data element: small (packed in 8 bytes) when the data fits in 4, else tag + data padded to 8. */
  element(type: number, data: Buffer): Buffer {
    if (data.length <= 4) return Buffer.concat([this.uint((data.length << 16) | type, 4), data, Buffer.alloc(4 - data.length)]);
    return Buffer.concat([this.uint(type, 4), this.uint(data.length, 4), data, Buffer.alloc((8 - (data.length % 8)) % 8)]);
  }

  values(type: NumericClass, values: ArrayLike<number>): Buffer {
    const b = Buffer.alloc(values.length * TYPES[type].size);
    Array.from(values).forEach((v, i) => {
      if (type === "uint8") b[i] = v;
      else if (this.le) b.writeDoubleLE(v, 8 * i);
      else b.writeDoubleBE(v, 8 * i);
    });
    return b;
  }

  matrix(v: MatVariable): Buffer {
    const dims = Buffer.concat(v.dims.map((d) => this.uint(d, 4)));
    const body = Buffer.concat([
      this.element(MI_UINT32, Buffer.concat([this.uint(TYPES[v.className].mx, 4), this.uint(0, 4)])),
      this.element(MI_INT32, dims),
      this.element(MI_INT8, Buffer.from(v.name, "latin1")),
      this.element(TYPES[v.storedAs ?? v.className].mi, this.values(v.storedAs ?? v.className, v.values)),
    ]);
    return Buffer.concat([this.uint(MI_MATRIX, 4), this.uint(body.length, 4), body]);
  }

  header(): Buffer {
    const text = Buffer.alloc(116, " ");
    text.write("MATLAB 5.0 MAT-file, Platform: test, Created on: fixture", "latin1");
    const endian = this.uint(("M".charCodeAt(0) << 8) | "I".charCodeAt(0), 2);
    return Buffer.concat([text, Buffer.alloc(8), this.uint(0x0100, 2), endian]);
  }
}

export function matFileBytes(variables: MatVariable[], options: MatOptions = {}): Buffer {
  const w = new MatWriter(!options.bigEndian);
  const elements = variables.map((v) => {
    const matrix = w.matrix(v);
    if (!options.compress) return matrix;
    const deflated = zlib.deflateSync(matrix);
    return Buffer.concat([w.uint(MI_COMPRESSED, 4), w.uint(deflated.length, 4), deflated]);
  });
  return Buffer.concat([w.header(), ...elements]);
}

export function writeMatFile(file: string, variables: MatVariable[], options: MatOptions = {}): void {
  fs.writeFileSync(file, matFileBytes(variables, options));
}
