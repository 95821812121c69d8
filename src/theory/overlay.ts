/**
 * Predicted beside measured: for a stored run's step-0 statistics, the mean-field prediction of
 * each layer's z var and grad var, the ratio measured ÷ predicted, and whether the two differ by
 * more than one finite net is expected to. Pure math.
 *
 * The tolerance, on the log scale (ratios, since the quantities span orders of magnitude), is the
 * spread of ln(measured ÷ predicted) across independent inits of a net of the run's widths and
 * depth, plus the probe batch's sampling noise (src/theory/finiteWidth.ts: the Σ 1/n_l law of
 * Hanin 2018 and Hanin & Nica 2019, with each activation's own coefficient). A ratio is marked ≠
 * when it lies more than DIFFERENCE_SDS of those standard deviations from the expected value:
 * then the prediction does not describe the net, beyond what a finite width explains.
 */
import { finiteWidthSpread, type LogSpread } from './finiteWidth.js';
import { type InputShape, type ModelConfig, predictForConfig } from './forConfig.js';
import type { Prediction } from './meanField.js';
import type { ActivationName } from '../model/activations.js';

/** Standard deviations of the expected spread before a difference is marked ≠. */
export const DIFFERENCE_SDS = 3;

export interface MeasuredLayer {
  kind: 'hidden' | 'output';
  fanIn: number;
  fanOut: number;
  /** The step-0 statistics of the layer (LayerStats or its stored form). */
  initial: { preactVar: number | null; gradVar: number | null };
}

export interface LayerComparison {
  predictedPreactVar: number;
  /** measured ÷ predicted; null where either is not finite or the prediction is 0. */
  preactRatio: number | null;
  /** Expected value and standard deviation of ln(measured ÷ predicted) for one finite net on the probe batch. */
  preactSpread: LogSpread;
  /** The ratios ≠ stays away from: e^(center ± DIFFERENCE_SDS·sd). */
  preactRange: [number, number];
  preactDiffers: boolean;
  /** The output layer's measured grad var times the predicted ratio to it (so exact at the output). */
  predictedGradVar: number | null;
  gradRatio: number | null;
  gradSpread: LogSpread;
  gradRange: [number, number];
  gradDiffers: boolean;
}

/** The ratios within DIFFERENCE_SDS standard deviations of the expected value: [low, high]. */
export function toleratedRange(spread: LogSpread): [number, number] {
  return [Math.exp(spread.center - DIFFERENCE_SDS * spread.sd), Math.exp(spread.center + DIFFERENCE_SDS * spread.sd)];
}

/**
 * True when ln(ratio) lies more than DIFFERENCE_SDS standard deviations from the spread's center
 * (false when the ratio is unknown; true for a measured 0 where something was predicted).
 */
export function differsBeyondSpread(ratio: number | null, spread: LogSpread): boolean {
  if (ratio === null) return false;
  if (!(ratio > 0)) return true;
  return Math.abs(Math.log(ratio) - spread.center) > DIFFERENCE_SDS * spread.sd;
}

function ratioOf(measured: number | null, predicted: number | null): number | null {
  if (measured === null || predicted === null || !Number.isFinite(measured) || !Number.isFinite(predicted) || predicted === 0) return null;
  return measured / predicted;
}

/** Who is compared: the activation (its finite-width coefficients) and the probe batch's size. */
export interface ComparisonContext {
  act: ActivationName;
  alpha: number;
  /** The record's data.probeSamples. */
  probeSamples: number;
}

/** Compares a run's step-0 layers (hidden ones, then the output) with the prediction for its configuration (predictForConfig). */
export function compareWithPrediction(layers: MeasuredLayer[], prediction: Prediction, context: ComparisonContext): LayerComparison[] {
  if (layers.length !== prediction.layers.length) {
    throw new Error(`the run has ${layers.length} layers, the prediction ${prediction.layers.length}`);
  }
  const spread = finiteWidthSpread(prediction, context.act, context.alpha, context.probeSamples);
  const outputGradVar = layers[layers.length - 1].initial.gradVar;
  return layers.map((layer, l) => {
    const predicted = prediction.layers[l];
    const preactRatio = ratioOf(layer.initial.preactVar, predicted.preactVar);
    const predictedGradVar = outputGradVar !== null && Number.isFinite(outputGradVar) ? outputGradVar * predicted.gradVarRatio : null;
    const isOutput = layer.kind === 'output';
    const gradRatio = isOutput ? null : ratioOf(layer.initial.gradVar, predictedGradVar);
    return {
      predictedPreactVar: predicted.preactVar,
      preactRatio,
      preactSpread: spread.preact[l],
      preactRange: toleratedRange(spread.preact[l]),
      preactDiffers: differsBeyondSpread(preactRatio, spread.preact[l]),
      predictedGradVar,
      gradRatio,
      gradSpread: spread.grad[l],
      gradRange: toleratedRange(spread.grad[l]),
      gradDiffers: isOutput ? false : differsBeyondSpread(gradRatio, spread.grad[l]),
    };
  });
}

/** The parts of a stored run record (store/record.ts) the overlay reads. */
export interface OverlayRecord {
  config: ModelConfig;
  data: { features: number; probeSamples: number };
  layers: MeasuredLayer[];
}

/**
 * The overlay for a stored run: the prediction for its configuration and the comparison of every
 * layer. `inputSecondMoment` is E[x²] of its training split (src/data/inputMoment.ts; 1 for
 * --data gaussian): the record does not store it.
 */
export function overlayForRecord(record: OverlayRecord, inputSecondMoment: number, predicted?: Prediction): { prediction: Prediction; layers: LayerComparison[] } {
  const prediction = predicted ?? predictForConfig(record.config, overlayInput(record, inputSecondMoment));
  return { prediction, layers: compareWithPrediction(record.layers, prediction, { act: record.config.act, alpha: record.config.alpha, probeSamples: record.data.probeSamples }) };
}

/** The input shape the overlay's prediction is made for (predictForConfig's second argument). */
export function overlayInput(record: OverlayRecord, inputSecondMoment: number): InputShape {
  return { features: record.data.features, classes: record.layers[record.layers.length - 1].fanOut, inputSecondMoment };
}
