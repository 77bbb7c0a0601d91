/** Seeded test data for the benchmarks: the same documents on every run, so runs compare. */

/** A linear congruential generator in [0, 1) (Numerical Recipes constants). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
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
