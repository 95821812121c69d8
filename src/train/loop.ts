/**
 * The training loop, in the manner of nanoGPT's train.py: one readable loop, every knob a named
 * setting. It knows nothing of the command line; callers observe it through hooks.
 */
import * as tf from '../backend/tf.js';
import type { OptimizerName } from '../config/runConfig.js';
import type { Dataset } from '../data/dataset.js';
import { batchTensors, disposeBatch, evaluateInterruptible, inAsyncScope, type LabeledBatch, lossAndGradients, lossAndGradientsInterruptible, type Mlp, scoreLogProbs, trainableVariables, updateRunningStatistics } from '../model/mlp.js';
import { checkpoint, InterruptedError } from '../util/abort.js';
import { type LayerHistograms, type LayerStats, probe } from '../probes/layerStats.js';
import { rngFor } from '../util/random.js';
import { BatchStream } from './batches.js';
import { makeOptimizer } from './optimizers.js';

export interface TrainSettings {
  optimizer: OptimizerName;
  lr: number;
  momentum: number;
  batch: number;
  steps: number;
  seed: number;
  probeSize: number;
  logEvery: number;
  /** Gradient clipping (absent: none): by global norm, and by value (applied first when both are given). */
  clipNorm?: number;
  clipValue?: number;
}

/**
 * Clipping over the steps since the previous probe point (null at step 0, before any step), on
 * runs with --clip-norm or --clip-value only. preClipNorm is the global norm ‖g‖ of the
 * minibatch gradient over every weight and bias, before any clipping.
 */
export interface ClipStats {
  /** Share of the interval's steps whose gradient the clipping changed. */
  clippedShare: number | null;
  meanPreClipNorm: number | null;
  maxPreClipNorm: number | null;
}

/** One line of metrics.jsonl: the state after `step` updates. */
export interface ProbePoint {
  step: number;
  epoch: number;
  /** Wall time since training started, in ms. */
  elapsedMs: number;
  /** Mean loss and accuracy over the training minibatches since the previous point; null at step 0. */
  trainLoss: number | null;
  trainAcc: number | null;
  /** On the fixed held-out probe batch. */
  probeLoss: number;
  probeAcc: number;
  layers: LayerStats[];
  /** Present on runs that clip (--clip-norm, --clip-value) only. */
  clip?: ClipStats;
  /** Per layer, fixed-bin histograms of φ(z) and ∂ℓᵢ/∂z (bins in probes/binSpecs.ts); in metrics.jsonl only. */
  histograms: LayerHistograms[];
}

export interface TrainHooks {
  /**
   * Checked between steps, between the layers of every probe and of the final evaluation; when
   * aborted, train() rejects with an InterruptedError (the points recorded so far went to onProbe).
   */
  signal?: AbortSignal;
  onProbe?(point: ProbePoint): void;
  /** After every step, with that step's minibatch loss. */
  onStep?(step: number, loss: number): void;
}

export interface TrainOutcome {
  status: 'ok' | 'diverged';
  divergedAt: number | null;
  points: ProbePoint[];
  final: { step: number; loss: number; trainAcc: number; testAcc: number };
}

function probeBatchFrom(data: Dataset, size: number): LabeledBatch {
  const count = Math.min(size, data.test.labels.length);
  return batchTensors(data.test.x.subarray(0, count * data.features), data.test.labels.subarray(0, count), data.features, data.classes);
}

/** ‖W_after − W_before‖ / ‖W_before‖ for each layer. */
function updateRatios(before: tf.Tensor[], after: tf.Tensor[]): number[] {
  const ratios = tf.tidy(() => tf.stack(before.map((w, l) => tf.div(tf.norm(tf.sub(after[l], w)), tf.norm(w)))));
  const values = Array.from(ratios.dataSync());
  ratios.dispose();
  return values;
}

export { InterruptedError };

/**
 * The gradients clipped as `settings` asks, in place of the ones given (disposed): by value, each
 * entry clamped to [−V, V]; then by global norm, every tensor scaled by C/‖g‖ when ‖g‖ > C (‖g‖ over
 * every weight and bias, after the value clipping). PyTorch's clip_grad_norm_ scales by
 * C/(‖g‖ + 10⁻⁶) instead: the same to float32 precision at any norm the clipping acts on.
 * Returns the global norm before clipping and whether the clipping changed anything.
 */
export function clipGradients<T extends tf.Tensor>(gradients: T[], settings: { clipNorm?: number; clipValue?: number }): { gradients: T[]; preClipNorm: number; clipped: boolean } {
  const { clipNorm, clipValue } = settings;
  const measured = tf.tidy(() => {
    const sumSquares = (ts: tf.Tensor[]) => tf.addN(ts.map((t) => tf.sum(tf.square(t))));
    const parts = [sumSquares(gradients)];
    if (clipValue !== undefined) {
      parts.push(tf.max(tf.stack(gradients.map((t) => tf.max(tf.abs(t))))));
      if (clipNorm !== undefined) parts.push(sumSquares(gradients.map((t) => tf.clipByValue(t, -clipValue, clipValue))));
    }
    return tf.stack(parts);
  });
  const values = measured.dataSync();
  measured.dispose();
  const preClipNorm = Math.sqrt(values[0]);
  const valueClipped = clipValue !== undefined && values[1] > clipValue;
  const normAfterValue = clipValue !== undefined && clipNorm !== undefined ? Math.sqrt(values[2]) : preClipNorm;
  const normClipped = clipNorm !== undefined && normAfterValue > clipNorm;
  if (!valueClipped && !normClipped) return { gradients, preClipNorm, clipped: false };
  const clippedGradients = tf.tidy(() =>
    gradients.map((t) => {
      let g = valueClipped ? tf.clipByValue(t, -clipValue!, clipValue!) : t;
      if (normClipped) g = tf.mul(g, clipNorm! / normAfterValue);
      return g as T;
    }),
  );
  tf.dispose(gradients);
  return { gradients: clippedGradients, preClipNorm, clipped: true };
}

/** Every value from `start` on is finite. */
function allFinite(values: ArrayLike<number>, start: number): boolean {
  for (let i = start; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

/**
 * The probe's loss and gradients are all finite. Its moments are non-finite only when some value
 * is (layerStats scales before it sums), so gradVar and weightGradNorm stand for every entry of
 * ∂L/∂z and ∂L/∂W.
 */
function probeIsFinite(point: ProbePoint): boolean {
  return Number.isFinite(point.probeLoss) && point.layers.every((layer) => Number.isFinite(layer.gradVar) && Number.isFinite(layer.weightGradNorm));
}

/** The probe with a checkpoint after each layer: a big net's probe takes seconds. Same numbers as probe(). */
function probeInterruptible(model: Mlp, batch: LabeledBatch, signal: AbortSignal | undefined, phase: string) {
  return inAsyncScope(async () => probe(model, batch, await lossAndGradientsInterruptible(model, batch, signal, phase)));
}

/** What the steps and probes of a run give, before the final evaluation. */
export type StepsOutcome = Omit<TrainOutcome, 'final'> & { lastStep: number };

/** Trains, probes, then evaluates the whole training and test splits with the final weights. */
export async function train(model: Mlp, data: Dataset, settings: TrainSettings, hooks: TrainHooks = {}): Promise<TrainOutcome> {
  const { status, divergedAt, points, lastStep } = await trainSteps(model, data, settings, hooks);
  const phase = 'during the final evaluation';
  const trainEval = await evaluateInterruptible(model, data.train.x, data.train.labels, data.features, data.classes, hooks.signal, phase);
  const testEval = await evaluateInterruptible(model, data.test.x, data.test.labels, data.features, data.classes, hooks.signal, phase);
  return {
    status,
    divergedAt,
    points,
    final: { step: lastStep, loss: trainEval.loss, trainAcc: trainEval.accuracy, testAcc: testEval.accuracy },
  };
}

/**
 * The training loop: `steps` updates with a probe every `logEvery` steps, at step 0 and at the
 * last step. `vgrad bench` times this alone; the final evaluation is not part of a step.
 */
export async function trainSteps(model: Mlp, data: Dataset, settings: TrainSettings, hooks: TrainHooks = {}): Promise<StepsOutcome> {
  const { steps, logEvery } = settings;
  const optimizer = makeOptimizer(settings.optimizer, settings.lr, settings.momentum);
  const batches = new BatchStream(data.train, data.features, settings.batch, data.classes, rngFor(settings.seed, 'batches'));
  const probeBatch = probeBatchFrom(data, settings.probeSize);
  const variables = trainableVariables(model);
  const points: ProbePoint[] = [];
  const started = performance.now();
  const clipping = settings.clipNorm !== undefined || settings.clipValue !== undefined;
  let interval = { lossSum: 0, correct: 0, steps: 0, clipped: 0, normSum: 0, normMax: 0 };

  const record = async (step: number, ratios: number[] | null) => {
    const measured = await probeInterruptible(model, probeBatch, hooks.signal, `during the probe at step ${step}`);
    measured.layers.forEach((layer, l) => (layer.updateRatio = ratios ? ratios[l] : null));
    const some = interval.steps > 0;
    const point: ProbePoint = {
      step,
      epoch: batches.epoch,
      elapsedMs: performance.now() - started,
      trainLoss: some ? interval.lossSum / interval.steps : null,
      trainAcc: some ? interval.correct / (interval.steps * settings.batch) : null,
      probeLoss: measured.probeLoss,
      probeAcc: measured.probeAcc,
      layers: measured.layers,
      // Only on runs that clip: the points of the others are as they were before clipping existed.
      ...(clipping
        ? {
            clip: {
              clippedShare: some ? interval.clipped / interval.steps : null,
              meanPreClipNorm: some ? interval.normSum / interval.steps : null,
              maxPreClipNorm: some ? interval.normMax : null,
            },
          }
        : {}),
      histograms: measured.histograms,
    };
    interval = { lossSum: 0, correct: 0, steps: 0, clipped: 0, normSum: 0, normMax: 0 };
    points.push(point);
    hooks.onProbe?.(point);
  };

  let status: TrainOutcome['status'] = 'ok';
  let divergedAt: number | null = null;
  let lastStep = 0;
  try {
    await record(0, null);
    // Step 0 is judged by the same rule as a training step, on the probe batch: a non-finite loss
    // or gradient there means the run diverged at initialization, and no step is taken.
    if (!probeIsFinite(points[0])) {
      status = 'diverged';
      divergedAt = 0;
    }
    for (let step = 1; divergedAt === null && step <= steps; step++) {
      const isProbeStep = step % logEvery === 0 || step === steps;
      const batch = batches.next();
      const grads = tf.tidy(() => {
        const g = lossAndGradients(model, batch);
        // Read back in one transfer: the log-probabilities, one sum per weight gradient (non-finite
        // iff an entry is, or the sum overflows) and every bias gradient entry (they are few). One
        // sum op per layer plus a stack, where a sum per tensor and an addN took two per layer.
        const weightGradSums = tf.stack(g.weightGrads.map((t) => tf.sum(t)));
        const bnGrads = g.gammaGrads && g.betaGrads ? [...g.gammaGrads, ...g.betaGrads] : [];
        return {
          health: tf.concat([tf.reshape(g.logProbs, [-1]), weightGradSums, ...g.biasGrads, ...bnGrads]),
          gradients: [...g.weightGrads, ...g.biasGrads, ...bnGrads] as tf.Tensor[],
          // The batch statistics the running ones follow (batch norm only).
          batchStats: { means: g.trace.bn?.means ?? [], variances: g.trace.bn?.variances ?? [] },
        };
      });
      disposeBatch(batch);
      const health = grads.health.dataSync();
      grads.health.dispose();
      const logProbCount = batch.labels.length * data.classes;
      const { loss, correct } = scoreLogProbs(health, batch.labels, data.classes);
      if (grads.batchStats.means.length > 0) {
        updateRunningStatistics(model, grads.batchStats.means, grads.batchStats.variances, batch.labels.length);
        tf.dispose([...grads.batchStats.means, ...grads.batchStats.variances]);
      }
      if (!Number.isFinite(loss) || !allFinite(health, logProbCount)) {
        tf.dispose(grads.gradients);
        status = 'diverged';
        divergedAt = step;
        break;
      }
      // The weights before this update, kept only when the update ratio will be reported.
      const before = isProbeStep ? model.weights.map((w) => tf.clone(w)) : null;
      let gradients = grads.gradients;
      if (clipping) {
        const clipped = clipGradients(gradients, settings);
        gradients = clipped.gradients;
        interval.clipped += clipped.clipped ? 1 : 0;
        interval.normSum += clipped.preClipNorm;
        interval.normMax = Math.max(interval.normMax, clipped.preClipNorm);
      }
      const named: tf.NamedTensorMap = {};
      variables.forEach((v, i) => (named[v.name] = gradients[i]));
      optimizer.applyGradients(named);
      tf.dispose(gradients);
      lastStep = step;
      interval.lossSum += loss;
      interval.correct += correct;
      interval.steps++;
      hooks.onStep?.(step, loss);
      if (before) {
        const ratios = updateRatios(before, model.weights);
        tf.dispose(before);
        await record(step, ratios);
      }
      // After the last step the final evaluation's own checkpoints take over.
      if (step < steps) await checkpoint(hooks.signal, () => `at step ${step}`, step);
    }
    // A diverged run still gets a last look at the weights that blew up.
    if (status === 'diverged' && points[points.length - 1].step !== lastStep) await record(lastStep, null);
    return { status, divergedAt, points, lastStep };
  } finally {
    optimizer.dispose();
    disposeBatch(probeBatch);
  }
}
