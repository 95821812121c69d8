/**
 * One experiment end to end: backend, data, model, training, stored record. Everything that can
 * be wrong with the user's input is checked before the run folder is created.
 */
import { selectBackend } from '../backend/select.js';
import { UsageError } from '../config/errors.js';
import { resolveSteps, type RunConfig } from '../config/runConfig.js';
import { loadDataset } from '../data/load.js';
import { createMlp, disposeMlp } from '../model/mlp.js';
import { parseInit } from '../model/initializers.js';
import { RUN_SCHEMA, type RunRecord } from '../store/record.js';
import { baseRunId, RunStore } from '../store/runStore.js';
import { train, type ProbePoint } from './loop.js';

export interface ExperimentHooks {
  signal?: AbortSignal;
  /** Once the data are loaded and the run folder exists. */
  onStart?(info: { runId: string; steps: number; backend: string; backendVersion: string; trainSamples: number }): void;
  onStep?(step: number, loss: number): void;
  onProbe?(point: ProbePoint): void;
  /** Where to write the run instead of a fresh ROOT/runs/<id> (a sweep writes each cell into its own folder). */
  openStore?(): RunSink;
}

/** What runExperiment writes a run through: RunStore, or a sweep's cell store. */
export interface RunSink {
  readonly runId: string;
  writeJson(name: string, value: unknown): void;
  appendJsonLine(name: string, value: unknown): void;
  /** Publishes the complete run and returns its folder. */
  commit(): string;
  abandon(): void;
}

export interface ExperimentResult {
  record: RunRecord;
  points: ProbePoint[];
  runDir: string;
}

export async function runExperiment(config: RunConfig, hooks: ExperimentHooks = {}): Promise<ExperimentResult> {
  const backend = await selectBackend(config.backend);
  const data = loadDataset({
    data: config.data,
    seed: config.seed,
    trainSize: config.trainSize ?? undefined,
    testSize: config.testSize ?? undefined,
    standardize: config.standardize,
  });
  const trainSamples = data.train.labels.length;
  if (config.batch > trainSamples) {
    throw new UsageError(`--batch ${config.batch} is larger than the ${trainSamples} training samples; allowed: 1–${trainSamples}`);
  }
  const steps = resolveSteps(config, trainSamples);
  const resolved = { ...config, steps, backend: backend.name };
  const init = parseInit(config.init);
  const sizes = [data.features, ...config.layers, data.classes];

  const store: RunSink = hooks.openStore?.() ?? RunStore.create(config.out, baseRunId(new Date(), config.act, init.name, config.depth, config.seed));
  const model = createMlp({ sizes, act: config.act, alpha: config.alpha }, init, { act: config.act, gain: config.gain }, config.seed);
  try {
    store.writeJson('config.json', resolved);
    hooks.onStart?.({ runId: store.runId, steps, backend: backend.name, backendVersion: backend.version, trainSamples });
    const outcome = await train(model, data, resolved, {
      signal: hooks.signal,
      onStep: hooks.onStep,
      onProbe: (point) => {
        store.appendJsonLine('metrics.jsonl', point);
        hooks.onProbe?.(point);
      },
    });
    const first = outcome.points[0];
    const last = outcome.points[outcome.points.length - 1];
    const record: RunRecord = {
      schema: RUN_SCHEMA,
      runId: store.runId,
      config: resolved,
      backend,
      data: {
        name: data.name,
        trainSamples,
        testSamples: data.test.labels.length,
        probeSamples: Math.min(config.probeSize, data.test.labels.length),
        features: data.features,
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
      timing: { trainMs: last.elapsedMs, msPerStep: outcome.final.step > 0 ? last.elapsedMs / outcome.final.step : null },
    };
    store.writeJson('summary.json', record);
    const runDir = store.commit();
    return { record, points: outcome.points, runDir };
  } catch (error) {
    store.abandon();
    throw error;
  } finally {
    disposeMlp(model);
  }
}
