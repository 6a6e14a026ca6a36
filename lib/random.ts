/**
 * Seeded randomness. tfjs has no global seed and `Math.random` is not
 * seedable, so every random choice in the kit draws from an `Rng` derived from
 * the run's master seed and a purpose name ("split", "shuffle", "init", ...):
 * changing one purpose's draws never shifts another's.
 */

/** FNV-1a over the text: a stable 32-bit hash. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A seed for one purpose, derived from the master seed. */
export function deriveSeed(seed: number, purpose: string): number {
  return hashString(`${seed}/${purpose}`);
}

/** mulberry32: small, fast, good enough for shuffles and sampling. */
export class Rng {
  private state_: number;

  constructor(seed: number) {
    this.state_ = seed >>> 0;
  }

  static for(seed: number, purpose: string): Rng {
    return new Rng(deriveSeed(seed, purpose));
  }

  /** The whole generator state: a generator restored from it continues the same sequence (resumable runs). */
  get state(): number {
    return this.state_;
  }

  set state(value: number) {
    this.state_ = value >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state_ = (this.state_ + 0x6d2b79f5) >>> 0;
    let t = this.state_;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer uniform in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** A 31-bit integer, for seeding tfjs initialisers. */
  seed(): number {
    return Math.floor(this.next() * 0x7fffffff);
  }

  /** Shuffles in place (Fisher–Yates) and returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): number[] {
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }
}
