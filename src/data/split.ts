/** Seeded, stratified subsets and per-pixel standardization. */
import type { Rng } from '../util/random.js';
import { shuffleInPlace } from '../util/random.js';
import type { Split } from './dataset.js';

/** Indices of each class, each list shuffled by `rng`. */
function shuffledByClass(labels: Uint8Array, classes: number, rng: Rng, among?: number[]): number[][] {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (const index of among ?? labels.keys()) byClass[labels[index]].push(index);
  for (const list of byClass) shuffleInPlace(list, rng);
  return byClass;
}

/**
 * Splits the rows of `labels` into disjoint stratified picks of the given sizes: every class gets
 * its share of each pick (largest remainder), so no pick is biased by the source's ordering.
 * Each pick comes back shuffled.
 */
export function stratifiedPicks(labels: Uint8Array, classes: number, sizes: number[], rng: Rng): number[][] {
  const byClass = shuffledByClass(labels, classes, rng);
  let remaining = labels.length;
  const taken = new Array<number>(classes).fill(0);
  const picks: number[][] = [];
  for (const size of sizes) {
    const available = byClass.map((list, c) => list.length - taken[c]);
    const exact = available.map((count) => (remaining === 0 ? 0 : (count * size) / remaining));
    const counts = exact.map(Math.floor);
    let short = size - counts.reduce((a, b) => a + b, 0);
    const byRemainder = exact.map((value, c) => ({ c, rest: value - Math.floor(value) })).sort((a, b) => b.rest - a.rest || a.c - b.c);
    for (const { c } of byRemainder) {
      if (short === 0) break;
      if (counts[c] < available[c]) {
        counts[c]++;
        short--;
      }
    }
    const pick: number[] = [];
    counts.forEach((count, c) => {
      pick.push(...byClass[c].slice(taken[c], taken[c] + count));
      taken[c] += count;
    });
    shuffleInPlace(pick, rng);
    picks.push(pick);
    remaining -= size;
  }
  return picks;
}

/** Per-pixel mean and std from `reference`; pixels with zero std are only centred. */
export function standardize(reference: Split, features: number, targets: Split[]): void {
  const rows = reference.labels.length;
  const mean = new Float64Array(features);
  const sq = new Float64Array(features);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < features; f++) mean[f] += reference.x[r * features + f];
  }
  for (let f = 0; f < features; f++) mean[f] /= rows;
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < features; f++) sq[f] += (reference.x[r * features + f] - mean[f]) ** 2;
  }
  const scale = Array.from(sq, (sum) => {
    const std = Math.sqrt(sum / rows);
    return std > 1e-8 ? 1 / std : 1;
  });
  for (const target of targets) {
    for (let i = 0; i < target.x.length; i++) {
      const f = i % features;
      target.x[i] = (target.x[i] - mean[f]) * scale[f];
    }
  }
}
