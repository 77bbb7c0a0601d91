/**
 * The one seeded generator of the repository: the drill's sample data (ecommerce.ts), the
 * benchmarks' documents (bench/) and the property tests draw from it, so a run — and a failure —
 * reproduces from its seed (Math.random cannot be seeded).
 */

/** Mulberry32: numbers in [0, 1), the same sequence for the same seed on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Words drawn from `words` until the text reaches `chars` characters (~900 makes a ~1 KB document). */
export function randomText(rand: () => number, words: readonly string[], chars: number): string {
  const out: string[] = [];
  let len = 0;
  while (len < chars) {
    const w = words[Math.floor(rand() * words.length)]!;
    out.push(w);
    len += w.length + 1;
  }
  return out.join(" ");
}
