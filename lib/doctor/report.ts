/** The doctor's report as text: one line per check under its section, the fix indented below it, then a verdict. */
import { Check, Status } from "./check";

const LABEL: Record<Status, string> = { ok: "OK", warning: "WARNING", missing: "MISSING", error: "ERROR" };
const INDENT = " ".repeat(11);

function checkLines(c: Check): string[] {
  const [first, ...rest] = c.detail.split("\n");
  const lines = [`  ${LABEL[c.status].padEnd(8)} ${c.name}: ${first}`, ...rest.map((l) => INDENT + l)];
  if (c.fix) lines.push(...c.fix.split("\n").map((l, i) => `${INDENT}${i === 0 ? "fix: " : "     "}${l}`));
  return lines.map((l) => l.trimEnd());
}

function verdict(checks: readonly Check[]): string {
  const count = (status: Status) => checks.filter((c) => c.status === status).length;
  const notes = `${count("warning")} warning(s), ${count("missing")} optional item(s) missing`;
  const failed = (needed: boolean) => checks.filter((c) => c.status === "error" && c.needed === needed).map((c) => c.name).join(", ");
  if (failed(true)) return `NOT ready for the default run: ${failed(true)} failed (ERROR above); ${notes}.`;
  if (failed(false)) return `Ready for the default run (npm start), but ${failed(false)} failed (ERROR above); ${notes}.`;
  return `Ready for the default run (npm start); ${notes}.`;
}

export function formatReport(checks: readonly Check[], heading: string): string {
  const sections = [...new Set(checks.map((c) => c.section))];
  const body = sections.flatMap((s) => ["", s, ...checks.filter((c) => c.section === s).flatMap(checkLines)]);
  return [heading, ...body, "", verdict(checks)].join("\n");
}
