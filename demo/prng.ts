/**
 * A tiny seeded pseudo-random generator for the demo data: the same key always gives the same numbers,
 * on every machine and every run (no Math.random anywhere in the demo).
 */

/** FNV-1a hash of a string to an unsigned 32-bit seed. */
export function seedOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small, well-known 32-bit PRNG. Returns numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generator keyed by text, e.g. `rngFor('LY10P0542/OP1.4.a')`. */
export const rngFor = (key: string): (() => number) => mulberry32(seedOf(key));
