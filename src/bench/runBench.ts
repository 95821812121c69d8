/**
 * `vgrad bench` from its settings to its measurements: every backend loaded and warmed up first,
 * then each case (depth × activation × batch) timed on each backend with probes off and on, and
 * PyTorch once per case where a reference script is given. cli/bench.ts parses the flags and
 * prints; the measurements and their github-action-benchmark entries are made here.
 */
import type { BackendChoice } from '../backend/choices.js';
import { type BackendInfo, selectBackend } from '../backend/select.js';
import { dataOptionsOf, loadDataset } from '../data/load.js';
import type { ActivationName } from '../model/activations.js';
import { UsageError } from '../util/errors.js';
import { signedPercent } from '../util/signedPercent.js';
import type { BenchmarkEntry } from './actionBenchmark.js';
import { type BenchMeasurement, benchRunConfig, type BenchSettings, measure, measurePair } from './benchmark.js';
import { runTorchReference, type TorchResult } from './torchReference.js';

export interface BenchPlan extends BenchSettings {
  depths: number[];
  acts: ActivationName[];
  batches: number[];
  rounds: number;
  threads: number;
}

/** One case on one backend. */
export interface BenchResult {
  /** e.g. "relu depth 2 batch 64". */
  config: string;
  /** The entry name: the config, prefixed by the backend when several are measured. */
  name: string;
  backend: BackendInfo;
  off: BenchMeasurement;
  on: BenchMeasurement;
  /** PyTorch's time for the case (measured once, with the first backend). */
  torch?: TorchResult;
  /** Probe cost, from CPU time: on a shared machine other programs' load lengthens wall time by more than a probe costs. */
  overhead: number;
  /** The tensor count grew during a measurement. */
  leak: boolean;
  /** vgrad ÷ PyTorch per step, wall and CPU time. */
  torchRatio?: number;
  cpuRatio?: number;
}

export interface BenchHooks {
  /** Every backend is loaded and warmed up; timing starts. */
  onReady?(backends: BackendInfo[]): void;
  onResult?(result: BenchResult): void;
}

/** Measures every case of `plan` on each of `requested` backends (and PyTorch with `reference`). */
export async function runBench(plan: BenchPlan, requested: BackendChoice[], reference: { script: string; python: string } | undefined, hooks: BenchHooks = {}): Promise<BenchResult[]> {
  const first = { depth: plan.depths[0], act: plan.acts[0], batch: plan.batches[0] };
  // Every case trains on the same data (only the net and the batch differ between them).
  const data = loadDataset(dataOptionsOf(benchRunConfig(first, plan)));
  const timing = { warmup: plan.warmup, chunks: plan.chunks, logEvery: plan.logEvery, probeSize: plan.probeSize };

  // Every backend is loaded (and warmed up) before any timing, so one that cannot load stops
  // the bench at once with one line, not after minutes of measuring the others.
  const backends: BackendInfo[] = [];
  for (const choice of requested) {
    const backend = await selectBackend(choice, { threads: plan.threads });
    if (choice !== 'auto' && backend.name !== choice) throw new UsageError(`--backends ${choice}: the running backend is ${backend.name} (something in the environment forces it)`);
    if (backends.some((b) => b.name === backend.name)) continue; // auto resolved to one already listed
    // One throwaway run first: wasm code tiers up and XNNPACK fills its caches in the first seconds.
    await measure({ ...first, probes: true }, data, { ...timing, chunks: 1 });
    backends.push(backend);
  }
  hooks.onReady?.(backends);

  const several = backends.length > 1;
  const results: BenchResult[] = [];
  for (const depth of plan.depths) {
    for (const act of plan.acts) {
      for (const batch of plan.batches) {
        const config = `${act} depth ${depth} batch ${batch}`;
        // PyTorch once per config, between the backends' measurements of it, so every ratio of
        // the config is taken in the same few minutes.
        let torch: TorchResult | undefined;
        for (const [index, backend] of backends.entries()) {
          await selectBackend(backend.name, { threads: plan.threads });
          const { off, on } = await measurePair({ depth, act, batch }, data, timing, plan.rounds);
          if (reference && index === 0) torch = runTorchReference(reference.script, reference.python, off.layers, act, batch, 300, plan.threads);
          const result: BenchResult = {
            config,
            // Entry names carry the backend only when several are measured, so a one-backend
            // history (the github-action-benchmark chart) keeps its names.
            name: several ? `${backend.name} · ${config}` : config,
            backend,
            off,
            on,
            torch,
            // (With one compute thread CPU and wall time agree when idle.)
            overhead: on.cpuMsPerStep / off.cpuMsPerStep - 1,
            leak: [off, on].some((m) => m.tensorsAtEnd !== m.tensorsAtStart),
            torchRatio: torch ? off.msPerStep / torch.msPerStep : undefined,
            cpuRatio: torch?.cpuMsPerStep ? off.cpuMsPerStep / torch.cpuMsPerStep : undefined,
          };
          results.push(result);
          hooks.onResult?.(result);
        }
      }
    }
  }
  return results;
}

/** samples/s to one decimal, as entries and the table give them. */
export function roundRate(value: number): number {
  return Math.round(value * 10) / 10;
}

/** The two github-action-benchmark entries of a result: probes off, and probes every `logEvery` steps. */
export function benchEntries(result: BenchResult, logEvery: number): BenchmarkEntry[] {
  const { name, backend, off, on, torch, torchRatio, cpuRatio } = result;
  const common = `backend ${backend.name} ${backend.version}; tensors ${off.tensorsAtStart}→${off.tensorsAtEnd}; peak RSS ${off.rssPeakMb.toFixed(0)} MB`;
  return [
    {
      name: `${name} (probes off)`,
      unit: 'samples/s',
      value: roundRate(off.samplesPerSec),
      range: `± ${roundRate(off.samplesPerSecSpread)}`,
      extra:
        `${off.msPerStep.toFixed(3)} ms/step; CPU ${off.cpuMsPerStep.toFixed(3)} ms/step; ${common}` +
        (torch ? `; ${torch.framework} ${torch.msPerStep.toFixed(3)} ms/step, ratio ${torchRatio!.toFixed(2)}` : '') +
        (cpuRatio ? `; CPU ratio ${cpuRatio.toFixed(2)}` : ''),
    },
    {
      name: `${name} (probes every ${logEvery} steps)`,
      unit: 'samples/s',
      value: roundRate(on.samplesPerSec),
      range: `± ${roundRate(on.samplesPerSecSpread)}`,
      extra: `${on.msPerStep.toFixed(3)} ms/step; CPU ${on.cpuMsPerStep.toFixed(3)} ms/step; probe overhead ${signedPercent(result.overhead)}; ${on.probesTimed} probe${on.probesTimed === 1 ? '' : 's'} of ${on.probeRows ?? 0} samples in ${on.stepsTimed} timed steps; backend ${backend.name} ${backend.version}; tensors ${on.tensorsAtStart}→${on.tensorsAtEnd}; peak RSS ${on.rssPeakMb.toFixed(0)} MB`,
    },
  ];
}
