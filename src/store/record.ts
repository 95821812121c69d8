/**
 * The run record: what `vgrad run --json` prints and summary.json holds (schema vgrad.run/2).
 *
 * /2 differs from /1 in two ways: a non-finite number is stored as the string "+Inf", "-Inf" or
 * "NaN" (in /1 all three were null, so which one it was was lost), and status may be
 * "interrupted". Readers (recordSchema.ts) accept both and decode the markers back to numbers.
 */
import type { RunConfig } from '../config/runConfig.js';
import type { LayerHistograms, LayerStats } from '../probes/layerStats.js';
import type { ProbePoint } from '../train/loop.js';

/**
 * One line of metrics.jsonl. Declared by the training loop, which makes it (train/ sits below
 * store/, so the type cannot live here); stored and read back as it is.
 */
export type { ProbePoint };
/**
 * A probe point read back from metrics.jsonl: runs stored before histograms were recorded have
 * none (and, like a vgrad.run/1 record, wrote non-finite statistics as null).
 */
export type StoredPoint = Omit<ProbePoint, 'histograms'> & { histograms?: LayerHistograms[] };

export const RUN_SCHEMA = 'vgrad.run/2';
/** Older records `vgrad show` still reads. */
export const RUN_SCHEMA_V1 = 'vgrad.run/1';

export interface LayerRecord {
  /** 1..depth for hidden layers, depth+1 for the output layer. */
  index: number;
  kind: 'hidden' | 'output';
  fanIn: number;
  fanOut: number;
  initial: LayerStats;
  final: LayerStats;
}

export interface RunRecord {
  schema: typeof RUN_SCHEMA;
  runId: string;
  /** The resolved config: probeSize and steps as the run used them. */
  config: Omit<RunConfig, 'probeSize'> & { probeSize: number; backend: string };
  backend: { name: string; version: string; coreVersion: string; features: Record<string, boolean>; threads?: number };
  /**
   * inputSecondMoment: E[x²] over every entry of the training split (after --standardize), the
   * first layer's input as the mean-field theory needs it; absent in records written before it was stored.
   */
  data: { name: string; trainSamples: number; testSamples: number; probeSamples: number; features: number; inputSecondMoment?: number };
  /** interrupted: stopped by a signal after at least one probe point beyond step 0; `final` is then the last probe point. */
  status: 'ok' | 'diverged' | 'interrupted';
  divergedAt: number | null;
  final: { step: number; loss: number; trainAcc: number; testAcc: number };
  layers: LayerRecord[];
  /**
   * Runs with --clip-norm/--clip-value only: over every step taken, how many the clipping changed
   * and the global gradient norm before clipping (mean, max); per probe point in metrics.jsonl.
   */
  clipping?: { steps: number; clippedSteps: number; meanPreClipNorm: number | null; maxPreClipNorm: number | null };
  /** Training wall time in ms and time per step (probes included). */
  timing: { trainMs: number; msPerStep: number | null };
}

/** How a non-finite number is written in JSON (JSON itself has no Inf or NaN). */
export const NON_FINITE_MARKERS = ['+Inf', '-Inf', 'NaN'] as const;
export type NonFiniteMarker = (typeof NON_FINITE_MARKERS)[number];

export function nonFiniteMarker(value: number): NonFiniteMarker {
  return Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
}

export function fromMarker(marker: NonFiniteMarker): number {
  return marker === 'NaN' ? NaN : marker === '+Inf' ? Infinity : -Infinity;
}

/** JSON with each non-finite number written as its marker, "+Inf", "-Inf" or "NaN", so none is lost. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? nonFiniteMarker(v) : v), indent);
}

/** The settings that decide a cell's numbers: everything but where it and its TensorBoard copy are stored. */
export type CellConfig = Omit<RunConfig, 'out' | 'tensorboard'>;

export function cellConfigOf(config: RunConfig): CellConfig {
  const { out: _out, tensorboard: _tensorboard, ...rest } = config;
  return rest;
}

/** One value of a sweep axis or override, as given (before the run option's reader). */
export type AxisValue = string | boolean;

export interface Axis {
  /** Run option key (RawRunOptions), e.g. 'depth', 'trainSize'. */
  key: string;
  values: AxisValue[];
}

/** One cell's options: key → value as given (before defaults). */
export type Overrides = Record<string, AxisValue>;

export const CELL_SCHEMA = 'vgrad.cell/1';

/** cell.json: what the cell was given and its normalized config (the id is a hash of it). */
export interface CellFile {
  schema: typeof CELL_SCHEMA;
  id: string;
  overrides: Overrides;
  config: CellConfig;
}

export const SWEEP_SCHEMA = 'vgrad.sweep/1';

/** sweep.json: the plan of a sweep. */
export interface SweepManifest {
  schema: typeof SWEEP_SCHEMA;
  name: string;
  description: string | null;
  source: string;
  axes: Axis[];
  fixed: Overrides;
  cells: { id: string; overrides: Overrides }[];
  /** The experiment file's expectations as planned (sweep/expectations.ts); kept for the record, not read back. */
  expectations: unknown[];
}
