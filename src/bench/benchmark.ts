/**
 * Train-step throughput of the real training loop, with probes off and at the default cadence,
 * plus the tensor count and RSS over the run (both must stay flat).
 */
import * as tf from '../backend/tf.js';
import { DEFAULTS } from '../config/runConfig.js';
import type { Dataset } from '../data/dataset.js';
import { parseInit } from '../model/initializers.js';
import type { ActivationName } from '../model/activations.js';
import { createMlp, disposeMlp } from '../model/mlp.js';
import { train } from '../train/loop.js';

export interface BenchCase {
  depth: number;
  act: ActivationName;
  batch: number;
  /** Probe every DEFAULTS.logEvery steps, or never inside the timed window. */
  probes: boolean;
}

export interface BenchMeasurement {
  case: BenchCase;
  /** Hidden widths, as the PyTorch reference takes them. */
  layers: number[];
  msPerStep: number;
  samplesPerSec: number;
  /** Standard deviation of samples/s across the timed chunks. */
  samplesPerSecSpread: number;
  tensorsAtStart: number;
  tensorsAtEnd: number;
  rssStartMb: number;
  rssPeakMb: number;
  rssEndMb: number;
}

export interface BenchSettings {
  /** Steps before timing starts (wasm tier-up, XNNPACK caches, allocator growth). */
  warmup: number;
  /** Timed steps, split into `chunks` equal parts for the spread. */
  steps: number;
  chunks: number;
}

export function benchLayers(depth: number): number[] {
  return Array.from({ length: depth }, (_, l) => (l === 0 ? DEFAULTS.firstWidth : DEFAULTS.width));
}

const mb = (bytes: number) => bytes / (1024 * 1024);

export async function measure(benchCase: BenchCase, data: Dataset, settings: BenchSettings): Promise<BenchMeasurement> {
  const layers = benchLayers(benchCase.depth);
  const init = benchCase.act === 'relu' ? 'he' : 'xavier';
  const model = createMlp({ sizes: [data.features, ...layers, data.classes], act: benchCase.act, alpha: DEFAULTS.alpha }, parseInit(init), { act: benchCase.act, gain: 1 }, 1);
  const total = settings.warmup + settings.steps;
  const chunkSteps = Math.floor(settings.steps / settings.chunks);
  const chunkMs: number[] = [];
  let chunkStart = 0;
  let tensorsAtStart = 0;
  let tensorsAtEnd = 0;
  let rssStart = 0;
  let rssPeak = 0;
  try {
    await train(
      model,
      data,
      {
        optimizer: 'sgd',
        lr: 0.01,
        momentum: 0,
        batch: benchCase.batch,
        // One step more than timed, so the last-step probe falls outside the window.
        steps: total + 1,
        seed: 1,
        probeSize: DEFAULTS.probeSize,
        logEvery: benchCase.probes ? DEFAULTS.logEvery : Number.MAX_SAFE_INTEGER,
      },
      {
        onStep: (step) => {
          if (step < settings.warmup) return;
          const now = performance.now();
          const rss = process.memoryUsage.rss();
          rssPeak = Math.max(rssPeak, rss);
          if (step === settings.warmup) {
            tensorsAtStart = tf.memory().numTensors;
            rssStart = rss;
            chunkStart = now;
          } else if ((step - settings.warmup) % chunkSteps === 0 && chunkMs.length < settings.chunks) {
            chunkMs.push(now - chunkStart);
            chunkStart = now;
          }
          if (step === total) tensorsAtEnd = tf.memory().numTensors;
        },
      },
    );
  } finally {
    disposeMlp(model);
  }
  const rates = chunkMs.map((ms) => (chunkSteps * benchCase.batch * 1000) / ms);
  const totalMs = chunkMs.reduce((a, b) => a + b, 0);
  const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
  const spread = Math.sqrt(rates.reduce((a, r) => a + (r - mean) ** 2, 0) / rates.length);
  return {
    case: benchCase,
    layers,
    msPerStep: totalMs / (chunkSteps * chunkMs.length),
    samplesPerSec: (chunkSteps * chunkMs.length * benchCase.batch * 1000) / totalMs,
    samplesPerSecSpread: spread,
    tensorsAtStart,
    tensorsAtEnd,
    rssStartMb: mb(rssStart),
    rssPeakMb: mb(rssPeak),
    rssEndMb: mb(process.memoryUsage.rss()),
  };
}
