/** A listing of every file below a folder with its size and modification time, to assert a folder was left untouched. */
import * as fs from "fs";
import * as path from "path";

export function treeSnapshot(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .sort()
    .map((name) => {
      const stat = fs.statSync(path.join(dir, name));
      return `${name} ${stat.size} ${stat.mtimeMs}`;
    });
}
