/**
 * A cell's verdict in one word. PLACEHOLDER until the flag rules module of h2-truth (src/probes/)
 * lands: the sweep must judge by the same rules as the run flags, so this file will only call it.
 */
import type { LayerStats } from '../probes/layerStats.js';
import type { RunRecord } from '../store/record.js';

export const VERDICTS = ['healthy', 'vanishing', 'exploding', 'saturated', 'dead', 'diverged'] as const;
export type Verdict = (typeof VERDICTS)[number];

const GRAD_RATIO = 100;
const SATURATED = 0.5;
const DEAD = 0.1;

function judge(hidden: LayerStats[]): Verdict {
  if (hidden.length === 0) return 'healthy';
  const first = hidden[0].gradVar;
  const last = hidden[hidden.length - 1].gradVar;
  if (!hidden.every((s) => Number.isFinite(s.gradVar) && Number.isFinite(s.preactVar))) return 'diverged';
  if (last > 0 && first / last >= GRAD_RATIO) return 'exploding';
  if (last > 0 && first / last <= 1 / GRAD_RATIO) return 'vanishing';
  if (hidden.some((s) => (s.saturated ?? 0) > SATURATED)) return 'saturated';
  if (hidden.some((s) => (s.dead ?? 0) > DEAD)) return 'dead';
  return 'healthy';
}

/** One word for a stored run: diverged if training blew up, else the flags at initialization. */
export function verdictOf(record: RunRecord): Verdict {
  if (record.status === 'diverged') return 'diverged';
  return judge(record.layers.filter((layer) => layer.kind === 'hidden').map((layer) => layer.initial));
}
