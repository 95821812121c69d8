/**
 * A run as TensorBoard sees it: one event file in one folder. Used by `vgrad run --tensorboard`
 * (with the live run's record and points) and `vgrad tensorboard` (with a stored run's); a sweep
 * passes one folder per cell. Written from the record and probe points only, like every report.
 *
 * Tags (layer numbers as in the table, 1 = first hidden layer, zero-padded to two digits):
 *   layerNN/<statistic>   each probe statistic in snake_case (preact_var, grad_var, saturated …);
 *                         null values (the output layer's saturated/dead, update_ratio at step 0) are left out
 *   loss/probe, accuracy/probe, loss/train, accuracy/train   at each probe point (train: mean since the previous point)
 *   final/train_loss, final/train_acc, final/test_acc        at the final step
 *   layerNN/activations, layerNN/gradients                   histograms, where the probe points carry them
 *   config/text_summary   the configuration as a Markdown table; the same values as HParams
 */
import { join } from 'node:path';
import type { LayerStats } from '../probes/layerStats.js';
import type { RunRecord, StoredPoint } from '../store/record.js';
import type { BinSpec } from '../probes/binSpecs.js';
import { EventFile, type HParamsStatus, type HParamValue, type Histogram } from './tensorboardEvents.js';

export const METRIC_TAGS = ['final/test_acc', 'final/train_acc', 'final/train_loss', 'loss/probe', 'accuracy/probe'];

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
export const layerTag = (index: number) => `layer${String(index).padStart(2, '0')}`;

/** Where the run's outputs went: not settings of the experiment, so not HParams. */
const OUTPUT_KEYS = new Set(['out', 'tensorboard', 'saveWeights']);

/** The config as flat HParams values: lists joined with commas, nulls and output folders left out. */
export function hparamValues(config: RunRecord['config']): Record<string, HParamValue> {
  const values: Record<string, HParamValue> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === null || value === undefined || OUTPUT_KEYS.has(key)) continue;
    if (Array.isArray(value)) values[key] = value.join(',');
    else if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') values[key] = value;
  }
  // --batch-norm's settings, under their flags' names.
  if (config.batchNorm) Object.assign(values, { batchNorm: true, bnMomentum: config.batchNorm.momentum, bnEps: config.batchNorm.eps });
  return values;
}

function markdownTable(values: Record<string, HParamValue>): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  return ['| setting | value |', '|---|---|', ...Object.entries(values).map(([k, v]) => `| ${escape(k)} | ${escape(String(v))} |`)].join('\n');
}

/**
 * A probe histogram (fixed bins, src/probes/binSpecs.ts) as TensorBoard edges and counts. Edges must
 * increase, so the open-ended bins get a finite outer edge one bin (or one decade) wide, the signed-log
 * bins' zero and the two "tiny" bins share one bin [−10^minExp, 10^minExp], and the NaN count is left
 * out (TensorBoard has no place for it; the NaN share is in metrics.jsonl).
 */
export function tensorboardHistogram(spec: BinSpec, counts: ArrayLike<number>): Histogram {
  if (spec.kind === 'linear') {
    const width = (spec.high - spec.low) / spec.bins;
    const edges = Array.from({ length: spec.bins + 3 }, (_, k) => spec.low + (k - 1) * width);
    return { edges, counts: Array.from(counts).slice(0, spec.bins + 2) };
  }
  const decades = spec.maxExp - spec.minExp;
  const all = Array.from(counts);
  const zero = decades + 2;
  const negative = all.slice(0, zero - 1); // −over, then −decades from the largest down
  const positive = all.slice(zero + 2, zero + 2 + decades + 1); // +decades upward, then +over
  const middle = all[zero - 1] + all[zero] + all[zero + 1];
  const negativeEdges = Array.from({ length: decades + 2 }, (_, k) => -(10 ** (spec.maxExp + 1 - k)));
  const positiveEdges = Array.from({ length: decades + 2 }, (_, k) => 10 ** (spec.minExp + k));
  return { edges: [...negativeEdges, ...positiveEdges], counts: [...negative, middle, ...positive] };
}

/** The histograms a probe point carries, per layer (1-based), as TensorBoard histograms. */
export function pointHistograms(point: StoredPoint): { layer: number; activations?: Histogram; gradients?: Histogram }[] {
  const raw = point.histograms;
  if (!Array.isArray(raw)) return [];
  return raw.map((entry, l) => ({
    layer: l + 1,
    activations: tensorboardHistogram(entry.act.bins, entry.act.counts),
    gradients: tensorboardHistogram(entry.grad.bins, entry.grad.counts),
  }));
}

const STATUS: Record<RunRecord['status'], HParamsStatus> = { ok: 'success', diverged: 'failure', interrupted: 'unknown' };

/** Writes `folder/events.out.tfevents.<time>.<host>` for one run; returns its path. */
export function writeRunEvents(folder: string, record: RunRecord, points: StoredPoint[], startSecs = Date.now() / 1000): string {
  const file = new EventFile(folder, startSecs);
  const values = hparamValues(record.config);
  file.text('config', 0, markdownTable(values));
  let lastSecs = startSecs;
  for (const point of points) {
    const wall = startSecs + point.elapsedMs / 1000;
    lastSecs = Math.max(lastSecs, wall);
    const put = (tag: string, value: number | null) => {
      if (value !== null && value !== undefined) file.scalar(tag, point.step, value, wall);
    };
    put('loss/probe', point.probeLoss);
    put('accuracy/probe', point.probeAcc);
    put('loss/train', point.trainLoss);
    put('accuracy/train', point.trainAcc);
    // Runs that clip: the share of steps clipped and the pre-clip global norm since the previous point.
    if (point.clip) {
      put('clip/clipped_share', point.clip.clippedShare);
      put('clip/mean_pre_clip_norm', point.clip.meanPreClipNorm);
      put('clip/max_pre_clip_norm', point.clip.maxPreClipNorm);
    }
    point.layers.forEach((stats, l) => {
      for (const [name, value] of Object.entries(stats) as [keyof LayerStats, number | null][]) put(`${layerTag(l + 1)}/${snake(name)}`, value);
    });
    for (const h of pointHistograms(point)) {
      if (h.activations) file.histogram(`${layerTag(h.layer)}/activations`, point.step, h.activations, wall);
      if (h.gradients) file.histogram(`${layerTag(h.layer)}/gradients`, point.step, h.gradients, wall);
    }
  }
  const final = record.final;
  file.scalar('final/train_loss', final.step, final.loss, lastSecs);
  file.scalar('final/train_acc', final.step, final.trainAcc, lastSecs);
  file.scalar('final/test_acc', final.step, final.testAcc, lastSecs);
  file.hparams(values, METRIC_TAGS, STATUS[record.status], lastSecs);
  return file.write();
}

/** The folder a run gets under a TensorBoard log folder: its run id. */
export function runEventsFolder(logDir: string, record: RunRecord): string {
  return join(logDir, record.runId);
}
