/** Synthetic N(0,1) inputs with random labels: signal propagation with nothing to learn. */
import { fillStandardNormal, type Rng } from '../util/random.js';
import type { Split } from './dataset.js';

export function gaussianSplit(count: number, features: number, classes: number, rng: Rng): Split {
  const x = new Float32Array(count * features);
  fillStandardNormal(x, rng);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) labels[i] = Math.floor(rng() * classes);
  return { x, labels };
}
