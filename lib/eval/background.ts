/**
 * The Background Challenge's two summary numbers (MadryLab/backgrounds_challenge),
 * as fractions in [0, 1] like every metric of the kit (tables print percent):
 * - BG-Gap = accuracy on Mixed-Same − accuracy on Mixed-Rand, both from the
 *   same model run: how much the model leans on a background of the right class.
 * - challenge accuracy = 1 − vulnerable / total: the share of foregrounds that
 *   no background of the challenge turns into a wrong prediction.
 */

function requireFraction(name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be a fraction in [0, 1] (not percent), got ${value}`);
}

/** acc(Mixed-Same) − acc(Mixed-Rand); e.g. bgGap(0.9099, 0.8432) ≈ 0.0667. */
export function bgGap(accMixedSame: number, accMixedRand: number): number {
  requireFraction("accMixedSame", accMixedSame);
  requireFraction("accMixedRand", accMixedRand);
  return accMixedSame - accMixedRand;
}

/** 1 − vulnerable / total; e.g. challengeAccuracy(3897, 4050) ≈ 0.0378. */
export function challengeAccuracy(vulnerable: number, total: number): number {
  if (!Number.isInteger(total) || total <= 0) throw new RangeError(`challengeAccuracy: total must be a positive integer, got ${total}`);
  if (!Number.isInteger(vulnerable) || vulnerable < 0 || vulnerable > total) {
    throw new RangeError(`challengeAccuracy: vulnerable must be an integer in [0, total = ${total}], got ${vulnerable}`);
  }
  return 1 - vulnerable / total;
}
