/**
 * Fixed-bin histograms of values read back from the device, counted on the host. The loops follow
 * binIndex (binSpecs.ts, the definition) case by case, unrolled per kind of bins: ~5 ms for a
 * default probe's values, where counting on the device took ~17 ops per histogram.
 */
import { type BinSpec, binCount, decadeOf } from './binSpecs.js';

/** Counts per bin of every value × `scale` (float64), binCount(spec) long. */
export function histogram(values: ArrayLike<number>, spec: BinSpec, scale = 1): number[] {
  const counts = new Float64Array(binCount(spec));
  const nanBin = counts.length - 1;
  const n = values.length;
  if (spec.kind === 'linear') {
    const { low, high, bins } = spec;
    const perUnit = bins / (high - low);
    for (let i = 0; i < n; i++) {
      const x = values[i] * scale;
      if (x !== x) counts[nanBin]++;
      else if (x < low) counts[0]++;
      else if (x > high) counts[bins + 1]++;
      else counts[1 + Math.min(bins - 1, Math.floor((x - low) * perUnit))]++;
    }
  } else {
    const decades = spec.maxExp - spec.minExp;
    const zero = decades + 2;
    const minExp = spec.minExp;
    for (let i = 0; i < n; i++) {
      const x = values[i] * scale;
      if (x !== x) {
        counts[nanBin]++;
        continue;
      }
      if (x === 0) {
        counts[zero]++;
        continue;
      }
      const magnitude = x < 0 ? -x : x;
      let d = magnitude === Infinity ? decades : decadeOf(magnitude) - minExp;
      if (d < -1) d = -1;
      else if (d > decades) d = decades;
      counts[x > 0 ? zero + d + 2 : zero - d - 2]++;
    }
  }
  return Array.from(counts);
}
