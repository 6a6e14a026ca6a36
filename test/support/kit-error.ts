/** Assertions that a call fails with a KitError whose message holds given fragments. */
import { strict as assert } from "assert";
import { KitError } from "../../lib/errors";

function isKitErrorWith(fragments: string[]): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof KitError, `not a KitError: ${e}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `"${e.message}" lacks "${f}"`);
    return true;
  };
}

export function expectKitError(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, isKitErrorWith(fragments));
}

export async function expectKitErrorAsync(fn: () => Promise<unknown>, ...fragments: string[]): Promise<void> {
  await assert.rejects(fn, isKitErrorWith(fragments));
}
