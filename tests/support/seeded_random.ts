/**
 * Seeded randomness, so that "random" inputs are the same on every run and
 * every runtime (a failing seed reproduces).
 */

/** A deterministic pseudo-random source in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A deterministic number in [0, 1) for a text (FNV-1a, then one draw): decisions that do not depend on timing. */
export function hashFraction(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return seededRandom(hash >>> 0)();
}
