/** The run record: what `vgrad run --json` prints and summary.json holds (schema vgrad.run/1). */
import type { RunConfig } from '../config/runConfig.js';
import type { LayerStats } from '../probes/layerStats.js';

export const RUN_SCHEMA = 'vgrad.run/1';

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
  config: RunConfig & { backend: string };
  backend: { name: string; version: string; coreVersion: string; features: Record<string, boolean> };
  data: { name: string; trainSamples: number; testSamples: number; probeSamples: number; features: number };
  status: 'ok' | 'diverged';
  divergedAt: number | null;
  final: { step: number; loss: number; trainAcc: number; testAcc: number };
  layers: LayerRecord[];
  /** Training wall time in ms and time per step (probes included). */
  timing: { trainMs: number; msPerStep: number | null };
}

/** JSON with non-finite numbers as null (JSON.stringify's own rule, stated here on purpose). */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), indent);
}
