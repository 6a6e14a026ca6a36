/**
 * The one error type for bad input anywhere in the kit: it names the file (or
 * setting), what was expected, what was found, and what to do about it.
 * The CLI prints `message` alone, without a stack trace.
 */
export class KitError extends Error {
  constructor(
    readonly subject: string,
    readonly expected: string,
    readonly found: string,
    readonly fix: string,
  ) {
    super(`${subject}: expected ${expected}, found ${found}. ${fix}`);
    this.name = "KitError";
  }
}
