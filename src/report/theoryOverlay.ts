/**
 * The mean-field prediction beside a stored run's step-0 statistics (src/theory/overlay.ts), from
 * the record alone: it needs the training split's E[x²], which records store as
 * data.inputSecondMoment since schema vgrad.run/2 gained it. Older records have no overlay.
 */
import type { RunRecord } from '../store/record.js';
import { type LayerComparison, overlayForRecord } from '../theory/overlay.js';
import type { Prediction } from '../theory/meanField.js';

export interface TheoryOverlay {
  inputSecondMoment: number;
  prediction: Prediction;
  layers: LayerComparison[];
}

/** The overlay, or null when the record lacks E[x²] or the theory has no prediction for its net. */
export function theoryOverlay(record: RunRecord): TheoryOverlay | null {
  const moment = record.data.inputSecondMoment;
  if (typeof moment !== 'number' || !Number.isFinite(moment)) return null;
  try {
    return { inputSecondMoment: moment, ...overlayForRecord(record, moment) };
  } catch {
    // A configuration the theory does not cover (e.g. a record from a newer vgrad): no columns.
    return null;
  }
}
