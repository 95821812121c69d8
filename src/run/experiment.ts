/**
 * One experiment end to end: backend, data, model, training, stored record. Everything that can
 * be wrong with the user's input is checked before the run folder is created; everything after
 * its creation is inside the clean-up that removes it on failure.
 */
import { memoryLimitBytes, selectBackend } from '../backend/select.js';
import { UsageError } from '../util/errors.js';
import { DEFAULTS, resolveSteps, type RunConfig } from '../config/runConfig.js';
import { dataOptionsOf, loadDataset } from '../data/load.js';
import { assertFitsMemory, estimateMemory } from '../train/memory.js';
import { createMlpFromWeights, createMlpInterruptible, disposeMlp, EVAL_CHUNK, type Mlp, readParameters } from '../model/mlp.js';
import { encodeWeights, readWeightsFile } from '../interop/weights.js';
import { parseInit } from '../model/initializers.js';
import { RUN_SCHEMA, type RunRecord } from '../store/record.js';
import { baseRunId, CONFIG_FILE, METRICS_FILE, SUMMARY_FILE, weightsFileName } from '../store/layout.js';
import { RunStore } from '../store/runStore.js';
import { injectedFault } from '../store/diskErrors.js';
import { InterruptedError } from '../util/abort.js';
import { train, type ProbePoint } from '../train/loop.js';

export interface ExperimentHooks {
  /** Checked at every long place (model building, probes, steps, final evaluation). */
  signal?: AbortSignal;
  /**
   * When the signal stops a run that has a probe point beyond step 0: true stores it with status
   * "interrupted" (final = the last probe point) and sets the InterruptedError's keptIn; false
   * removes it like any failed run.
   */
  keepInterrupted?: boolean;
  /** Once the data are loaded and the run folder exists, before the model is built. */
  onStart?(info: { runId: string; steps: number; backend: string; backendVersion: string; trainSamples: number }): void;
  onStep?(step: number, loss: number): void;
  onProbe?(point: ProbePoint): void;
  /** The store to write the run through instead of a fresh ROOT/runs/<id> (a sweep cell: RunStore.createAt). */
  openStore?(): RunStore;
}

export interface ExperimentResult {
  record: RunRecord;
  points: ProbePoint[];
  runDir: string;
}

/** E[x²] over every entry, in float64: what the theory overlay needs of the input (record.data). */
function secondMoment(x: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  return x.length === 0 ? 0 : sum / x.length;
}

export async function runExperiment(config: RunConfig, hooks: ExperimentHooks = {}): Promise<ExperimentResult> {
  const backend = await selectBackend(config.backend, { threads: config.threads });
  const data = loadDataset(dataOptionsOf(config));
  const trainSamples = data.train.labels.length;
  if (config.batch > trainSamples) {
    throw new UsageError(`--batch ${config.batch} is larger than the ${trainSamples} training samples; allowed: 1–${trainSamples}`);
  }
  const testSamples = data.test.labels.length;
  if (config.probeSize !== null && config.probeSize > testSamples) {
    throw new UsageError(`--probe-size ${config.probeSize} is larger than the ${testSamples} test samples; allowed: 1–${testSamples}`);
  }
  const probeSize = config.probeSize ?? Math.min(DEFAULTS.probeSize, testSamples);
  const steps = resolveSteps(config, trainSamples);
  const resolved = { ...config, steps, probeSize, backend: backend.name };
  const init = parseInit(config.init);
  const sizes = [data.features, ...config.layers, data.classes];
  // Refuse a net the backend cannot hold before building it (or the run folder).
  const evalChunk = Math.min(EVAL_CHUNK, Math.max(trainSamples, testSamples));
  const memory = estimateMemory({ sizes, batch: config.batch, probeSize, evalChunk, optimizer: config.optimizer });
  assertFitsMemory(memory, memoryLimitBytes(backend), backend.name);

  // Read and checked before anything is written: a wrong file is a usage error with no run folder.
  const given = config.initFrom === null ? null : readWeightsFile(config.initFrom, sizes);
  const saveWeights = (name: string, what: string) => {
    if (!model) return;
    store.writeBytes(name, encodeWeights(sizes, readParameters(model), { runId: store.runId, weights: what, act: config.act, alpha: String(config.alpha) }));
  };
  const inputSecondMoment = secondMoment(data.train.x);

  const store = hooks.openStore?.() ?? RunStore.create(config.out, baseRunId(new Date(), config.act, init.name, config.depth, config.seed));
  // From here on every failure removes the partial folder (or, for an interrupt, may keep the run).
  const points: ProbePoint[] = [];
  const buildRecord = (runId: string, outcome: Pick<RunRecord, 'status' | 'divergedAt' | 'final'>): RunRecord => {
    const first = points[0];
    const last = points[points.length - 1];
    return {
      schema: RUN_SCHEMA,
      runId,
      config: resolved,
      backend,
      data: {
        name: data.name,
        trainSamples,
        testSamples: data.test.labels.length,
        probeSamples: probeSize,
        features: data.features,
        inputSecondMoment,
      },
      status: outcome.status,
      divergedAt: outcome.divergedAt,
      final: outcome.final,
      layers: first.layers.map((initial, l) => ({
        index: l + 1,
        kind: l < config.layers.length ? 'hidden' : 'output',
        fanIn: sizes[l],
        fanOut: sizes[l + 1],
        initial,
        final: last.layers[l],
      })),
      ...(points.some((point) => point.clip) ? { clipping: clippingOver(points) } : {}),
      timing: { trainMs: last.elapsedMs, msPerStep: outcome.final.step > 0 ? last.elapsedMs / outcome.final.step : null },
    };
  };
  const publish = (outcome: Pick<RunRecord, 'status' | 'divergedAt' | 'final'>) => {
    let record!: RunRecord;
    const runDir = store.commit((runId) => {
      record = buildRecord(runId, outcome);
      store.writeJson(SUMMARY_FILE, record);
    });
    return { record, runDir };
  };

  let model: Mlp | undefined;
  try {
    store.writeJson(CONFIG_FILE, resolved);
    injectedFault('model');
    hooks.onStart?.({ runId: store.runId, steps, backend: backend.name, backendVersion: backend.version, trainSamples });
    const spec = { sizes, act: config.act, alpha: config.alpha, ...(config.batchNorm ? { batchNorm: config.batchNorm } : {}) };
    model = given ? createMlpFromWeights(spec, given) : await createMlpInterruptible(spec, init, { act: config.act, gain: config.gain }, config.seed, hooks.signal, config.biasStd);
    if (config.saveWeights?.includes('init')) saveWeights(weightsFileName('init'), 'step 0');
    const outcome = await train(model, data, resolved, {
      signal: hooks.signal,
      onStep: hooks.onStep,
      onProbe: (point) => {
        store.appendJsonLine(METRICS_FILE, point);
        points.push(point);
        hooks.onProbe?.(point);
      },
    });
    if (config.saveWeights?.includes('final')) saveWeights(weightsFileName('final'), `step ${outcome.final.step}`);
    const { record, runDir } = publish(outcome);
    return { record, points, runDir };
  } catch (error) {
    const last = points[points.length - 1];
    if (error instanceof InterruptedError && hooks.keepInterrupted && last && last.step > 0) {
      try {
        // The whole splits are not evaluated after an interrupt: final is the last probe point.
        error.keptIn = publish({
          status: 'interrupted',
          divergedAt: null,
          final: { step: last.step, loss: last.trainLoss ?? last.probeLoss, trainAcc: last.trainAcc ?? last.probeAcc, testAcc: last.probeAcc },
        }).runDir;
      } catch (storeError) {
        store.abandon();
        throw storeError;
      }
      throw error;
    }
    store.abandon();
    throw error;
  } finally {
    if (model) disposeMlp(model);
  }
}

/** The run's clipping from its probe points: each point's shares and means weighted by the steps since the previous one. */
export function clippingOver(points: ProbePoint[]): NonNullable<RunRecord['clipping']> {
  let steps = 0;
  let clippedSteps = 0;
  let normSum = 0;
  let maxPreClipNorm: number | null = null;
  points.forEach((point, i) => {
    const clip = point.clip;
    if (i === 0 || !clip || clip.clippedShare === null) return;
    const interval = point.step - points[i - 1].step;
    steps += interval;
    clippedSteps += Math.round(clip.clippedShare * interval);
    normSum += clip.meanPreClipNorm! * interval;
    maxPreClipNorm = Math.max(maxPreClipNorm ?? -Infinity, clip.maxPreClipNorm!);
  });
  return { steps, clippedSteps, meanPreClipNorm: steps > 0 ? normSum / steps : null, maxPreClipNorm };
}
