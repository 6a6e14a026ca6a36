import { strict as assert } from "assert";
import { bgGap, challengeAccuracy } from "../../lib/eval/background";

/** A fraction as percent with two decimals, as the tables print it. */
const percent = (fraction: number) => Math.round(fraction * 10000) / 100;

describe("Background Challenge metrics", () => {
  it("B13(b): acc(mixed_same) 90.99 %, acc(mixed_rand) 84.32 % → BG-Gap 6.67 points", () => {
    const gap = bgGap(0.9099, 0.8432);
    assert.ok(Math.abs(gap - 0.0667) < 1e-12, `${gap}`);
    assert.equal(percent(gap), 6.67);
    // a model better on Mixed-Rand has a negative gap, not an error
    assert.ok(bgGap(0.5, 0.6) < 0);
  });

  it("B13(c): 3897 of 4050 foregrounds vulnerable → challenge accuracy 3.78 %", () => {
    assert.equal(percent(challengeAccuracy(3897, 4050)), 3.78);
    assert.equal(challengeAccuracy(0, 4050), 1);
    assert.equal(challengeAccuracy(4050, 4050), 0);
  });

  it("refuses percent for fractions, an empty total and more vulnerable foregrounds than the total", () => {
    assert.throws(() => bgGap(90.99, 84.32), (e: unknown) => e instanceof RangeError && /accMixedSame must be a fraction in \[0, 1\] \(not percent\), got 90.99/.test(e.message));
    assert.throws(() => bgGap(0.9, NaN), /accMixedRand/);
    assert.throws(() => challengeAccuracy(0, 0), (e: unknown) => e instanceof RangeError && /total must be a positive integer, got 0/.test(e.message));
    assert.throws(() => challengeAccuracy(4051, 4050), (e: unknown) => e instanceof RangeError && /vulnerable must be an integer in \[0, total = 4050\], got 4051/.test(e.message));
    assert.throws(() => challengeAccuracy(-1, 4050), RangeError);
    assert.throws(() => challengeAccuracy(1.5, 4050), RangeError);
  });
});
