/**
 * The mean-field prediction beside a stored run's step-0 statistics (src/theory/overlay.ts), from
 * the record alone: it needs the training split's E[x²], which records store as
 * data.inputSecondMoment since schema vgrad.run/2 gained it. Older records have no overlay.
 */
import type { RunRecord } from '../store/record.js';
import { type LayerComparison, overlayForRecord, overlayInput } from '../theory/overlay.js';
import { predictForConfigPaced } from '../theory/forConfig.js';
import { InterruptedError } from '../util/abort.js';
import type { Prediction } from '../theory/meanField.js';

export interface TheoryOverlay {
  inputSecondMoment: number;
  prediction: Prediction;
  layers: LayerComparison[];
}

/**
 * Predictions already computed, by what the prediction reads (the net, the activation and the
 * initializer with their parameters, the data's shape and E[x²]; theory/overlay.ts predictForConfig):
 * a sweep's seeds and learning rates share one (a prediction takes tens of ms).
 */
const predictions = new Map<string, Prediction | null>();

function predictionKey(record: RunRecord, moment: number): string {
  const c = record.config;
  return JSON.stringify([c.act, c.alpha, c.init, c.gain, c.biasStd ?? 0, c.layers, record.data.features, record.layers[record.layers.length - 1]?.fanOut, moment]);
}

/** Predictions made ahead by prepareTheoryOverlay, for the synchronous renderers to pick up. */
const prepared = new WeakMap<RunRecord, Prediction>();

/**
 * Makes the prediction for `record` ahead of rendering, awaiting `between` after each layer (a
 * pacer: `vgrad show` of a 100,000-layer record spends ~100 s here and must stop on a signal).
 * theoryOverlay(record) then uses it. Nothing is prepared when there is no overlay.
 */
export async function prepareTheoryOverlay(record: RunRecord, between: () => Promise<void>): Promise<void> {
  const moment = record.data.inputSecondMoment;
  if (typeof moment !== 'number' || !Number.isFinite(moment) || prepared.has(record)) return;
  try {
    prepared.set(record, await predictForConfigPaced(record.config, overlayInput(record, moment), between));
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    // No prediction for this configuration: theoryOverlay says so (null) in its own way.
  }
}

/** The overlay, or null when the record lacks E[x²] or the theory has no prediction for its net. */
export function theoryOverlay(record: RunRecord): TheoryOverlay | null {
  // The mean-field prediction does not model batch norm: no columns rather than wrong ones.
  if (record.config.batchNorm) return null;
  const moment = record.data.inputSecondMoment;
  if (typeof moment !== 'number' || !Number.isFinite(moment)) return null;
  const key = predictionKey(record, moment);
  try {
    const known = prepared.get(record) ?? predictions.get(key);
    if (known === null) return null;
    const overlay = overlayForRecord(record, moment, known);
    if (predictions.size > 10_000) predictions.clear();
    predictions.set(key, overlay.prediction);
    return { inputSecondMoment: moment, ...overlay };
  } catch {
    // A configuration the theory does not cover (e.g. a record from a newer vgrad): no columns.
    predictions.set(key, null);
    return null;
  }
}
