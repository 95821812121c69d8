/**
 * The per-layer table printed after a run. It reads a stored run record only, never a live run,
 * so `vgrad show` renders exactly what `vgrad run` printed.
 */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { LayerStats } from '../probes/layerStats.js';
import type { LayerRecord, RunRecord } from '../store/record.js';
import { logBar, logScaleFor } from './logBar.js';
import { tableOptions } from './tableStyle.js';

/** A layer's gradient variance this many times below or above the output layer's is flagged. */
export const GRAD_FLAG_RATIO = 100;
export const SATURATION_FLAG = 0.5;
const BAR_WIDTH = 10;

export function formatNumber(value: number | null): string {
  if (value === null) return '–';
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  return magnitude >= 1e4 || magnitude < 1e-2 ? value.toExponential(2) : value.toPrecision(3);
}

function percent(value: number | null): string {
  return value === null ? '–' : `${(value * 100).toFixed(1)}%`;
}

/** Flags on one layer's statistics, in words, so they survive NO_COLOR. */
export function layerFlags(stats: LayerStats, topGradVar: number, kind: LayerRecord['kind']): string[] {
  const flags: string[] = [];
  if (Number.isFinite(topGradVar) && topGradVar > 0 && kind === 'hidden') {
    if (stats.gradVar * GRAD_FLAG_RATIO <= topGradVar) flags.push('vanishing');
    else if (stats.gradVar >= topGradVar * GRAD_FLAG_RATIO) flags.push('exploding');
  }
  if (stats.saturated !== null && stats.saturated > SATURATION_FLAG) flags.push('saturated');
  if (stats.dead !== null && stats.dead > 0) flags.push('dead');
  if (![stats.preactVar, stats.gradVar, stats.weightGradNorm].every(Number.isFinite)) flags.push('non-finite');
  return flags;
}

function layerTable(record: RunRecord, pick: 'initial' | 'final', color: ChalkInstance): string {
  const all = record.layers.flatMap((layer) => [layer.initial, layer.final]);
  const actScale = logScaleFor(all.map((s) => s.actVar));
  const gradScale = logScaleFor(all.map((s) => s.gradVar));
  // The bar columns' header is their log scale.
  const scaleLabel = (scale: typeof actScale) => (scale ? `1e${scale.low}…1e${scale.high}` : '');
  const table = new Table(
    tableOptions(color, ['layer', 'shape', 'w std', 'z mean', 'z var', 'φ(z) var', scaleLabel(actScale), 'sat', 'dead', 'grad var', scaleLabel(gradScale), '‖∇W‖', '‖ΔW‖/‖W‖', 'flags']),
  );
  const top = record.layers[record.layers.length - 1][pick];
  for (const layer of record.layers) {
    const stats = layer[pick];
    const flags = layerFlags(stats, top.gradVar, layer.kind);
    const bad = (text: string, on: boolean) => (on ? color.red.bold(text) : text);
    const gradFlagged = flags.includes('vanishing') || flags.includes('exploding');
    table.push([
      layer.kind === 'output' ? `${layer.index} out` : String(layer.index),
      `${layer.fanIn}→${layer.fanOut}`,
      formatNumber(stats.weightStd),
      formatNumber(stats.preactMean),
      formatNumber(stats.preactVar),
      formatNumber(stats.actVar),
      color.green(logBar(stats.actVar, actScale, BAR_WIDTH)),
      bad(percent(stats.saturated), flags.includes('saturated')),
      bad(percent(stats.dead), flags.includes('dead')),
      bad(formatNumber(stats.gradVar), gradFlagged),
      (gradFlagged ? color.red : color.blue)(logBar(stats.gradVar, gradScale, BAR_WIDTH)),
      formatNumber(stats.weightGradNorm),
      formatNumber(stats.updateRatio),
      color.yellow(flags.join(', ')),
    ]);
  }
  return table.toString();
}

export function renderRunReport(record: RunRecord, color: ChalkInstance): string {
  const c = record.config;
  const lines: string[] = [];
  lines.push(
    color.bold(`${c.act} · ${c.init} · ${c.depth} hidden layers [${c.layers.join(', ')}] · ${c.optimizer} lr ${c.lr} · batch ${c.batch} · seed ${c.seed} · ${record.data.name} · ${record.backend.name}`),
  );
  lines.push('', color.bold('At initialization (step 0)'), layerTable(record, 'initial', color));
  if (record.final.step > 0) {
    lines.push('', color.bold(`After training (step ${record.final.step})`), layerTable(record, 'final', color));
  }
  lines.push(
    '',
    `On a fixed batch of ${record.data.probeSamples} held-out samples. z: pre-activation; grad var: Var(∂ℓ/∂z) per sample, with log bars.`,
    `sat: share of (sample, unit) pairs with φ'(z) < 5% of φ's peak slope; dead: units with φ' = 0 on every sample.`,
    `Flags: vanishing/exploding = grad var ${GRAD_FLAG_RATIO}× below/above the output layer's; saturated = sat over ${SATURATION_FLAG * 100}%; dead = any dead unit.`,
  );
  const status =
    record.status === 'ok'
      ? color.green('ok')
      : record.status === 'interrupted'
        ? color.yellow.bold('interrupted (final = last probe point)')
        : color.red.bold(`diverged at step ${record.divergedAt}`);
  const f = record.final;
  lines.push(
    `status ${status} · step ${f.step} · train loss ${formatNumber(f.loss)} · train acc ${formatNumber(f.trainAcc)} · test acc ${formatNumber(f.testAcc)}` +
      (record.timing.msPerStep === null ? '' : ` · ${record.timing.msPerStep.toFixed(1)} ms/step`),
    '',
  );
  return lines.join('\n');
}
