/** Writes small MNIST IDX files (the real format) for the loader tests. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";

export function idxBytes(magicType: number, dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = magicType;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

/** A folder with train (n) and t10k (m) image and label files; digits cycle 0..9. */
export function writeMnistFolder(n: number, m: number, options: { gzip?: boolean; dotNames?: boolean } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "masktune-idx-"));
  const sep = options.dotNames ? "." : "-";
  const write = (name: string, bytes: Buffer) => fs.writeFileSync(path.join(dir, name + (options.gzip ? ".gz" : "")), options.gzip ? zlib.gzipSync(bytes) : bytes);
  for (const [stem, count] of [["train", n], ["t10k", m]] as const) {
    const pixels = Uint8Array.from({ length: count * 784 }, (_, i) => (i * 31) % 256);
    const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
    write(`${stem}-images${sep}idx3-ubyte`, idxBytes(0x08, [count, 28, 28], pixels));
    write(`${stem}-labels${sep}idx1-ubyte`, idxBytes(0x08, [count], labels));
  }
  return dir;
}
