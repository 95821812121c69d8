// Compares estimateMemory with the measured peak of one run (after `npm run build`):
//   node scripts/calibrate-memory.mjs --steps 2 --log-every 1 --data gaussian --depth 20 --width 1000
// Prints the estimate, tf.profile's peak tensor bytes, the wasm heap size and the peak RSS.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { parseRunConfig } from '../dist/src/config/runConfig.js';
import { estimateMemory, formatBytes } from '../dist/src/train/memory.js';
import { runExperiment } from '../dist/src/run/experiment.js';

const args = process.argv.slice(2);
const raw = {};
for (let i = 0; i < args.length; i += 2) raw[args[i].replace(/^--/, '').replace(/-(\w)/g, (_, c) => c.toUpperCase())] = args[i + 1];
const out = join(tmpdir(), `vgrad-calibrate-${process.pid}`);
const config = parseRunConfig({ ...raw, out });
let peakRss = 0;
const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
const info = await tf.profile(async () => {
  await runExperiment(config, {});
});
clearInterval(timer);
const heap = tf.getBackend() === 'wasm' ? tf.backend().wasm.HEAPU8.length : NaN;
const testSamples = config.testSize ?? 2000;
const estimate = estimateMemory({
  sizes: [784, ...config.layers, 10],
  batch: config.batch,
  probeSize: config.probeSize ?? Math.min(512, testSamples),
  evalChunk: Math.min(1000, Math.max(config.trainSize ?? 8000, testSamples)),
  optimizer: config.optimizer,
});
console.log(JSON.stringify({ args: args.join(' '), backend: tf.getBackend(), estimate: formatBytes(estimate.bytes), peakTensorBytes: formatBytes(info.peakBytes), ratio: +(estimate.bytes / info.peakBytes).toFixed(3), wasmHeap: formatBytes(heap), peakRss: formatBytes(peakRss) }));
rmSync(out, { recursive: true, force: true });
