/**
 * The per-layer table printed after a run. It reads a stored run record only, never a live run,
 * so `vgrad show` renders exactly what `vgrad run` printed.
 */
import type { ChalkInstance } from 'chalk';
import type { LayerStats } from '../probes/layerStats.js';
import type { LayerRecord, RunRecord } from '../store/record.js';
import { droppedNote, fitColumns, fitLines, renderTable, type TableColumn } from './fitWidth.js';
import { ABOVE_SCALE, ACT_VAR_SCALE, BELOW_SCALE, GRAD_VAR_SCALE, logBar, scaleLabel, type LogScale } from './logBar.js';
import { runHeader } from './runHeader.js';

/** A layer's gradient variance this many times below or above the output layer's is flagged. */
export const GRAD_FLAG_RATIO = 100;
export const SATURATION_FLAG = 0.5;

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

/** Number text, left-aligned and padded, then the bar: one column, so the value sits beside its bar. */
function withBar(values: string[], head: string, scale: LogScale, raw: (number | null)[]) {
  const numberWidth = Math.max(head.length, ...values.map((v) => v.length));
  return {
    head: `${head.padEnd(numberWidth)} ${scaleLabel(scale)}`,
    numbers: values.map((v) => v.padEnd(numberWidth)),
    bars: raw.map((value) => logBar(value, scale)),
  };
}

/**
 * The per-layer columns for every row of the tables at step 0 and (if trained) at the end, so both
 * tables keep the same columns. dropOrder says what goes first when the terminal is narrow: the
 * update ratio, w std, z mean, ‖∇W‖ and φ(z) var, then dead, sat and z var; layer, shape, grad var
 * with its bar and the flags always stay.
 */
function layerColumns(record: RunRecord, picks: ('initial' | 'final')[], color: ChalkInstance): TableColumn[] {
  const rows = picks.flatMap((pick) => {
    const top = record.layers[record.layers.length - 1][pick];
    return record.layers.map((layer) => {
      const stats = layer[pick];
      return { layer, stats, flags: layerFlags(stats, top.gradVar, layer.kind) };
    });
  });
  const bad = (text: string, on: boolean) => (on ? color.red.bold(text) : text);
  const gradFlagged = rows.map((r) => r.flags.includes('vanishing') || r.flags.includes('exploding'));
  const act = withBar(rows.map((r) => formatNumber(r.stats.actVar)), 'φ(z) var', ACT_VAR_SCALE, rows.map((r) => r.stats.actVar));
  const grad = withBar(rows.map((r) => formatNumber(r.stats.gradVar)), 'grad var', GRAD_VAR_SCALE, rows.map((r) => r.stats.gradVar));
  const flagged = (flag: string) => (text: string, row: number) => bad(text, rows[row].flags.includes(flag));
  return [
    { head: 'layer', cells: rows.map((r) => (r.layer.kind === 'output' ? `${r.layer.index} out` : String(r.layer.index))) },
    { head: 'shape', cells: rows.map((r) => `${r.layer.fanIn}→${r.layer.fanOut}`) },
    { head: 'w std', cells: rows.map((r) => formatNumber(r.stats.weightStd)), dropOrder: 2 },
    { head: 'z mean', cells: rows.map((r) => formatNumber(r.stats.preactMean)), dropOrder: 3 },
    { head: 'z var', cells: rows.map((r) => formatNumber(r.stats.preactVar)), dropOrder: 8 },
    {
      head: act.head,
      name: 'φ(z) var',
      cells: rows.map((_, i) => `${act.numbers[i]} ${act.bars[i]}`),
      dropOrder: 5,
      paint: (_text, i) => `${act.numbers[i]} ${color.green(act.bars[i])}`,
    },
    { head: 'sat', cells: rows.map((r) => percent(r.stats.saturated)), dropOrder: 7, paint: flagged('saturated') },
    { head: 'dead', cells: rows.map((r) => percent(r.stats.dead)), dropOrder: 6, paint: flagged('dead') },
    {
      head: grad.head,
      name: 'grad var',
      cells: rows.map((_, i) => `${grad.numbers[i]} ${grad.bars[i]}`),
      paint: (_text, i) => `${bad(grad.numbers[i], gradFlagged[i])} ${(gradFlagged[i] ? color.red : color.blue)(grad.bars[i])}`,
    },
    { head: '‖∇W‖', cells: rows.map((r) => formatNumber(r.stats.weightGradNorm)), dropOrder: 4 },
    { head: '‖ΔW‖/‖W‖', cells: rows.map((r) => formatNumber(r.stats.updateRatio)), dropOrder: 1 },
    { head: 'flags', cells: rows.map((r) => r.flags.join(', ')), wraps: true, paint: (text) => color.yellow(text) },
  ];
}

/** The tables at step 0 and after training, fitted together to `maxWidth` (undefined: all columns). */
function layerTables(record: RunRecord, color: ChalkInstance, maxWidth?: number) {
  const picks: ('initial' | 'final')[] = record.final.step > 0 ? ['initial', 'final'] : ['initial'];
  const columns = layerColumns(record, picks, color);
  const fit = fitColumns(columns, maxWidth);
  const n = record.layers.length;
  return {
    initial: renderTable(color, columns, fit, 0, n),
    final: picks.length > 1 ? renderTable(color, columns, fit, n, 2 * n) : '',
    dropped: fit.dropped,
  };
}

/** Says the bars' fixed scale and its clip marks, and what a narrow terminal left out. */
function layoutNotes(dropped: string[]): string[] {
  const notes = [`Bars: log scale in the head, the same for every run; ${BELOW_SCALE} below it or 0, ${ABOVE_SCALE} above.`];
  const note = droppedNote(dropped);
  if (note) notes.push(note);
  return notes;
}

export function renderRunReport(record: RunRecord, color: ChalkInstance, maxWidth?: number): string {
  const lines: string[] = [];
  lines.push(color.bold(runHeader(record, maxWidth)));
  const tables = layerTables(record, color, maxWidth);
  lines.push('', color.bold('At initialization (step 0)'), tables.initial);
  if (record.final.step > 0) {
    lines.push('', color.bold(`After training (step ${record.final.step})`), tables.final);
  }
  lines.push(...layoutNotes(tables.dropped));

  lines.push(
    '',
    `On a fixed batch of ${record.data.probeSamples} held-out samples. z: pre-activation; grad var: Var(∂ℓ/∂z) per sample, with log bars.`,
    `sat: share of (sample, unit) pairs with φ'(z) < 5% of φ's peak slope; dead: units with φ' = 0 on every sample.`,
    `Flags: vanishing/exploding = grad var ${GRAD_FLAG_RATIO}× below/above the output layer's; saturated = sat over ${SATURATION_FLAG * 100}%; dead = any dead unit.`,
  );
  const status =
    record.status === 'ok' ? color.green('ok') : color.red.bold(`diverged at step ${record.divergedAt}`);
  const f = record.final;
  lines.push(
    `status ${status} · step ${f.step} · train loss ${formatNumber(f.loss)} · train acc ${formatNumber(f.trainAcc)} · test acc ${formatNumber(f.testAcc)}` +
      (record.timing.msPerStep === null ? '' : ` · ${record.timing.msPerStep.toFixed(1)} ms/step`),
    '',
  );
  return lines.join('\n');
}

/** The report for a terminal `maxWidth` cells wide: tables narrowed, every other long line wrapped. */
export function renderFittedReport(record: RunRecord, color: ChalkInstance, maxWidth?: number): string {
  return fitLines(renderRunReport(record, color, maxWidth), maxWidth);
}
