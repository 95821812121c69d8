/**
 * Train-step throughput of the real training loop, with probes off and at the default cadence,
 * plus the tensor count and RSS over the run (both must stay flat).
 */
import * as tf from '../backend/tf.js';
import { COMMAND_DEFAULTS } from '../config/defaults.js';
import { parseRunConfig, type RunConfig } from '../config/runConfig.js';
import type { Dataset } from '../data/dataset.js';
import { parseInit } from '../model/initializers.js';
import { ACTIVATION, type ActivationName } from '../model/activations.js';
import { createMlp, disposeMlp } from '../model/mlp.js';
import { trainSteps } from '../train/loop.js';

export interface BenchCase {
  depth: number;
  act: ActivationName;
  batch: number;
  /** Probe every BenchSettings.logEvery steps, or never inside the timed window. */
  probes: boolean;
}

export interface BenchMeasurement {
  case: BenchCase;
  /** Hidden widths, as the PyTorch reference takes them. */
  layers: number[];
  msPerStep: number;
  /**
   * CPU time of this process per step (all threads), in the median chunk by wall time. On a
   * shared machine it is steadier than wall time: other programs' load lengthens the wall clock,
   * not this process's CPU time. With one compute thread (wasm; native with 1 intra-op thread) it
   * is the work a step does.
   */
  cpuMsPerStep: number;
  samplesPerSec: number;
  /** Half the range of samples/s across the timed chunks. */
  samplesPerSecSpread: number;
  /** Probes taken inside the timed window: one per chunk with probes on, none with them off. */
  probesTimed: number;
  /** Steps inside the timed window (chunks × logEvery). */
  stepsTimed: number;
  /** Rows of the probe batch the probes ran on, counted from the output layer's histogram (null: no probe ran). */
  probeRows: number | null;
  tensorsAtStart: number;
  tensorsAtEnd: number;
  rssStartMb: number;
  rssPeakMb: number;
  rssEndMb: number;
}

export interface BenchSettings {
  /** Steps before timing starts (wasm tier-up, XNNPACK caches, allocator growth). */
  warmup: number;
  /**
   * Timed chunks of one probe interval (logEvery steps) each, so that every chunk of a
   * probes-on measurement holds exactly one probe and the median chunk cannot dodge them.
   */
  chunks: number;
  /** The probe cadence measured, in steps (vgrad run's --log-every; DEFAULTS.logEvery by default). */
  logEvery: number;
  /** Rows of the probe batch (vgrad run's --probe-size; DEFAULTS.probeSize by default): a probe's cost grows with it. */
  probeSize: number;
}

/**
 * The run bench times for a case, read by `vgrad run`'s option table like any run: the default net
 * of that depth, bench's MNIST splits, learning rate and seed (COMMAND_DEFAULTS.bench.run), and
 * the initializer the activation's record is meant for (bestInit), so no case starts out vanishing
 * or exploding. Every other setting is `vgrad run`'s default.
 */
export function benchRunConfig(benchCase: Omit<BenchCase, 'probes'>, settings: Pick<BenchSettings, 'logEvery' | 'probeSize'>): RunConfig {
  const run = COMMAND_DEFAULTS.bench.run;
  return parseRunConfig({
    depth: String(benchCase.depth),
    act: benchCase.act,
    init: ACTIVATION[benchCase.act].bestInit,
    batch: String(benchCase.batch),
    lr: String(run.lr),
    seed: String(run.seed),
    data: 'mnist',
    trainSize: String(run.trainSize),
    testSize: String(run.testSize),
    probeSize: String(settings.probeSize),
    logEvery: String(settings.logEvery),
  });
}

const mb = (bytes: number) => bytes / (1024 * 1024);

/** CPU time (user + system, every thread) this process has used, in ms. */
function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

export function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Probes off and on, alternated over `rounds` so that slow spells of a shared machine hit both
 * sides alike; the reported figure of each side is its median round.
 */
export async function measurePair(base: Omit<BenchCase, 'probes'>, data: Dataset, settings: BenchSettings, rounds: number) {
  const off: BenchMeasurement[] = [];
  const on: BenchMeasurement[] = [];
  for (let round = 0; round < rounds; round++) {
    off.push(await measure({ ...base, probes: false }, data, settings));
    on.push(await measure({ ...base, probes: true }, data, settings));
  }
  const pick = (list: BenchMeasurement[]) => {
    const sorted = [...list].sort((a, b) => a.msPerStep - b.msPerStep);
    const chosen = sorted[Math.floor(sorted.length / 2)];
    // Tensor growth of the worst round (within one run, so a leak shows), peak RSS over all.
    const worstGrowth = list.reduce((worst, m) => (m.tensorsAtEnd - m.tensorsAtStart > worst.tensorsAtEnd - worst.tensorsAtStart ? m : worst));
    return { ...chosen, tensorsAtStart: worstGrowth.tensorsAtStart, tensorsAtEnd: worstGrowth.tensorsAtEnd, rssPeakMb: Math.max(...list.map((m) => m.rssPeakMb)) };
  };
  return { off: pick(off), on: pick(on) };
}

export async function measure(benchCase: BenchCase, data: Dataset, settings: BenchSettings): Promise<BenchMeasurement> {
  const config = benchRunConfig(benchCase, settings);
  const layers = config.layers;
  const model = createMlp({ sizes: [data.features, ...layers, data.classes], act: config.act, alpha: config.alpha }, parseInit(config.init), { act: config.act, gain: config.gain }, config.seed, config.biasStd);
  const chunkSteps = settings.logEvery;
  const total = settings.warmup + chunkSteps * settings.chunks;
  const chunkMs: number[] = [];
  const chunkCpuMs: number[] = [];
  let chunkStart = 0;
  let cpuStart = 0;
  let tensorsAtStart = 0;
  let tensorsAtEnd = 0;
  let rssStart = 0;
  let rssPeak = 0;
  let probesTimed = 0;
  let probeRows: number | null = null;
  try {
    await trainSteps(
      model,
      data,
      {
        ...config,
        probeSize: settings.probeSize,
        // One step more than timed, so the last-step probe falls outside the window.
        steps: total + 1,
        logEvery: benchCase.probes ? settings.logEvery : Number.MAX_SAFE_INTEGER,
      },
      {
        // A probe runs after its step's onStep, so the timed window (onStep(warmup) to
        // onStep(total)) holds the probes of steps warmup … total − 1.
        onProbe: (point) => {
          if (point.step >= settings.warmup && point.step < total) probesTimed++;
          // Every (sample, class) pair of the output layer falls in one of its histogram's bins.
          const output = point.histograms[point.histograms.length - 1];
          probeRows = output.act.counts.reduce((sum, count) => sum + count, 0) / data.classes;
        },
        onStep: (step) => {
          if (step < settings.warmup) return;
          const now = performance.now();
          const cpu = cpuMs();
          const rss = process.memoryUsage.rss();
          rssPeak = Math.max(rssPeak, rss);
          if (step === settings.warmup) {
            tensorsAtStart = tf.memory().numTensors;
            rssStart = rss;
            chunkStart = now;
            cpuStart = cpu;
          } else if ((step - settings.warmup) % chunkSteps === 0 && chunkMs.length < settings.chunks) {
            chunkMs.push(now - chunkStart);
            chunkCpuMs.push(cpu - cpuStart);
            chunkStart = now;
            cpuStart = cpu;
          }
          if (step === total) tensorsAtEnd = tf.memory().numTensors;
        },
      },
    );
  } finally {
    disposeMlp(model);
  }
  // The median chunk, not the mean: on a shared machine, bursts of outside load hit some chunks.
  const perStep = chunkMs.map((ms) => ms / chunkSteps).sort((a, b) => a - b);
  const msPerStep = median(perStep);
  const cpuPerStep = chunkCpuMs.map((ms) => ms / chunkSteps).sort((a, b) => a - b);
  const rates = perStep.map((ms) => (benchCase.batch * 1000) / ms);
  return {
    case: benchCase,
    layers,
    msPerStep,
    cpuMsPerStep: median(cpuPerStep),
    samplesPerSec: (benchCase.batch * 1000) / msPerStep,
    samplesPerSecSpread: (rates[0] - rates[rates.length - 1]) / 2,
    probesTimed,
    stepsTimed: chunkSteps * settings.chunks,
    probeRows,
    tensorsAtStart,
    tensorsAtEnd,
    rssStartMb: mb(rssStart),
    rssPeakMb: mb(rssPeak),
    rssEndMb: mb(process.memoryUsage.rss()),
  };
}
