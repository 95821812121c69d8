/**
 * The per-layer table printed after a run. It reads a stored run record only, never a live run,
 * so `vgrad show` renders exactly what `vgrad run` printed.
 */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import { DEAD_RISE, GRADIENT_SPAN, judgeRecord, type LayerFlag, SATURATION_MARGIN } from '../probes/verdicts.js';
import type { RunRecord } from '../store/record.js';
import { logBar, logScaleFor } from './logBar.js';
import { tableOptions } from './tableStyle.js';

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

/** Flags on each layer at one probe point, in words so they survive NO_COLOR (rules: probes/verdicts.ts). */
export function layerFlags(record: RunRecord, pick: 'initial' | 'final'): LayerFlag[][] {
  return judgeRecord(record, pick).flags;
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
  const allFlags = layerFlags(record, pick);
  for (const [l, layer] of record.layers.entries()) {
    const stats = layer[pick];
    const flags = allFlags[l];
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

/** What the status means, with each step number named: the failing step, and the weights kept. */
function statusText(record: RunRecord, color: ChalkInstance): string {
  const f = record.final;
  if (record.status === 'ok') return `${color.green('ok')} · trained ${f.step} step${f.step === 1 ? '' : 's'}`;
  if (record.status === 'interrupted') return `${color.yellow.bold('interrupted')} (final = last probe point, step ${f.step})`;
  if (record.divergedAt === 0) {
    return `${color.red.bold('diverged at initialization')} (step 0: non-finite loss or gradient on the probe batch; no step taken)`;
  }
  return `${color.red.bold(`diverged at step ${record.divergedAt}`)} (non-finite loss or gradient; update not applied) · weights kept: after step ${f.step}`;
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
    `Flags: vanishing/exploding = a hidden layer's width × grad var 10^${Math.log10(GRADIENT_SPAN)} times below/above the top hidden layer's; saturated = sat over` +
      ` ${(0.5 + SATURATION_MARGIN) * 100}% (relu, leaky-relu, elu, selu: off on z < 0 by design) or ${SATURATION_MARGIN * 100}% (others);` +
      ` dead = dead share up > ${DEAD_RISE * 100} points since step 0; non-finite = ±Inf or NaN.`,
  );
  const f = record.final;
  const verdictAt = (pick: 'initial' | 'final') => judgeRecord(record, pick).verdict;
  const verdicts =
    record.final.step > 0 ? `verdict at step 0: ${verdictAt('initial')}, at step ${f.step}: ${verdictAt('final')}` : `verdict: ${verdictAt('initial')}`;
  lines.push(
    `status ${statusText(record, color)} · ${verdicts} · train loss ${formatNumber(f.loss)} · train acc ${formatNumber(f.trainAcc)} · test acc ${formatNumber(f.testAcc)}` +
      (record.timing.msPerStep === null ? '' : ` · ${record.timing.msPerStep.toFixed(1)} ms/step`),
    '',
  );
  return lines.join('\n');
}
