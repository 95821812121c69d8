/**
 * The per-layer table printed after a run. It reads a stored run record only, never a live run,
 * so `vgrad show` renders exactly what `vgrad run` printed.
 */
import type { ChalkInstance } from 'chalk';
import { CHANCE_MARGIN, DEAD_RISE, GRADIENT_SPAN, judgeRecord, LOSS_FALL, NOT_LEARNING_MIN_STEPS, type LayerFlag, saturatedThresholds } from '../probes/verdicts.js';
import type { RunRecord } from '../store/record.js';
import { droppedNote, fitColumns, fitLines, renderTable, type TableColumn } from './fitWidth.js';
import { ABOVE_SCALE, ACT_VAR_SCALE, BELOW_SCALE, GRAD_VAR_SCALE, logBar, scaleLabel, type LogScale } from './logBar.js';
import { runHeader } from './runHeader.js';
import { theoryOverlay, type TheoryOverlay } from './theoryOverlay.js';
import { DIFFERENCE_SDS, type LayerComparison } from '../theory/overlay.js';

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
function layerColumns(record: RunRecord, picks: ('initial' | 'final')[], color: ChalkInstance, overlay: TheoryOverlay | null): TableColumn[] {
  const rows = picks.flatMap((pick) => {
    const flags = layerFlags(record, pick);
    return record.layers.map((layer, l) => ({ layer, stats: layer[pick], flags: flags[l] as string[] }));
  });
  const bad = (text: string, on: boolean) => (on ? color.red.bold(text) : text);
  const gradFlagged = rows.map((r) => r.flags.includes('vanishing') || r.flags.includes('exploding'));
  const act = withBar(rows.map((r) => formatNumber(r.stats.actVar)), 'φ(z) var', ACT_VAR_SCALE, rows.map((r) => r.stats.actVar));
  const grad = withBar(rows.map((r) => formatNumber(r.stats.gradVar)), 'grad var', GRAD_VAR_SCALE, rows.map((r) => r.stats.gradVar));
  const flagged = (flag: string) => (text: string, row: number) => bad(text, rows[row].flags.includes(flag));
  // The prediction is for step 0: the rows after training leave its cells empty.
  const n = record.layers.length;
  const atInit = (row: number) => (row < n && overlay ? overlay.layers[row] : null);
  const ratioText = (ratio: number | null, differs: boolean) => (ratio === null ? '–' : `${formatNumber(ratio)}${differs ? ' ≠' : ''}`);
  /** The prediction of one statistic and measured ÷ predicted, flagged where they differ beyond sampling. */
  const theoryColumns = (name: string, pick: (layer: LayerComparison) => { predicted: number | null; ratio: number | null; differs: boolean }, dropOrders: [number, number]): TableColumn[] => {
    const at = (row: number) => {
      const layer = atInit(row);
      return layer ? pick(layer) : null;
    };
    return [
      { head: `${name} theory`, cells: rows.map((_, i) => (at(i) ? formatNumber(at(i)!.predicted) : '')), dropOrder: dropOrders[0] },
      { head: `${name} ÷ theory`, cells: rows.map((_, i) => (at(i) ? ratioText(at(i)!.ratio, at(i)!.differs) : '')), dropOrder: dropOrders[1], paint: (text, i) => bad(text, at(i)?.differs ?? false) },
    ];
  };
  const theory = overlay ? theoryColumns('z', (l) => ({ predicted: l.predictedPreactVar, ratio: l.preactRatio, differs: l.preactDiffers }), [0.1, 0.3]) : [];
  const gradTheory = overlay ? theoryColumns('grad', (l) => ({ predicted: l.predictedGradVar, ratio: l.gradRatio, differs: l.gradDiffers }), [0.2, 0.4]) : [];
  return [
    { head: 'layer', cells: rows.map((r) => (r.layer.kind === 'output' ? `${r.layer.index} out` : String(r.layer.index))) },
    { head: 'shape', cells: rows.map((r) => `${r.layer.fanIn}→${r.layer.fanOut}`) },
    { head: 'w std', cells: rows.map((r) => formatNumber(r.stats.weightStd)), dropOrder: 2 },
    { head: 'z mean', cells: rows.map((r) => formatNumber(r.stats.preactMean)), dropOrder: 3 },
    { head: 'z var', cells: rows.map((r) => formatNumber(r.stats.preactVar)), dropOrder: 8 },
    ...theory,
    // With batch norm: ẑ, batch norm's output and φ's input (hidden layers only).
    ...(record.config.batchNorm
      ? [{ head: 'ẑ var', cells: rows.map((r) => (r.stats.normalizedVar === undefined ? '' : formatNumber(r.stats.normalizedVar))), dropOrder: 8.5 }]
      : []),
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
    ...gradTheory,
    { head: '‖∇W‖', cells: rows.map((r) => formatNumber(r.stats.weightGradNorm)), dropOrder: 4 },
    { head: '‖ΔW‖/‖W‖', cells: rows.map((r) => formatNumber(r.stats.updateRatio)), dropOrder: 1 },
    { head: 'flags', cells: rows.map((r) => r.flags.join(', ')), wraps: true, paint: (text) => color.yellow(text) },
  ];
}

/** The tables at step 0 and after training, fitted together to `maxWidth` (undefined: all columns). */
function layerTables(record: RunRecord, color: ChalkInstance, overlay: TheoryOverlay | null, maxWidth?: number) {
  const picks: ('initial' | 'final')[] = record.final.step > 0 ? ['initial', 'final'] : ['initial'];
  const columns = layerColumns(record, picks, color, overlay);
  const fit = fitColumns(columns, maxWidth);
  const n = record.layers.length;
  return {
    initial: renderTable(color, columns, fit, 0, n),
    final: picks.length > 1 ? renderTable(color, columns, fit, n, 2 * n) : '',
    dropped: fit.dropped,
  };
}

/**
 * What ≠ means, with the tolerated ratios at the first and the top hidden layer: the spread that
 * one finite net of these widths shows around the prediction widens with depth (Σ 1/width).
 */
function toleranceNote(overlay: TheoryOverlay): string {
  const hidden = overlay.layers.slice(0, -1);
  const range = (r: [number, number]) => `${formatNumber(r[0])}–${formatNumber(r[1])}`;
  const first = hidden[0];
  const top = hidden[hidden.length - 1];
  const where =
    hidden.length > 1
      ? `z ÷ theory ${range(first.preactRange)} at layer 1 to ${range(top.preactRange)} at layer ${hidden.length}, grad ÷ theory ${range(first.gradRange)} at layer 1`
      : `z ÷ theory ${range(first.preactRange)}, grad ÷ theory ${range(first.gradRange)}`;
  return (
    `≠: outside what one net of these finite widths shows around the prediction, ${DIFFERENCE_SDS} sd of the spread between seeds, which grows with Σ 1/width` +
    ` (Hanin & Nica 2019), and of the probe batch's sampling noise; here ${where}.`
  );
}

/** Says the bars' fixed scale and its clip marks, and what a narrow terminal left out. */
function layoutNotes(dropped: string[]): string[] {
  const notes = [`Bars: log scale in the head, the same for every run; ${BELOW_SCALE} below it or 0, ${ABOVE_SCALE} above.`];
  const note = droppedNote(dropped);
  if (note) notes.push(note);
  return notes;
}

/** "75% (relu, leaky-relu, elu, selu: off on z < 0 by design) or 25% (others)", from the flag rules. */
function saturatedLegend(): string {
  const groups = saturatedThresholds();
  const who = (group: (typeof groups)[number], i: number) =>
    i > 0 && i === groups.length - 1 ? 'others' : `${group.names.join(', ')}${group.note ? `: ${group.note}` : ''}`;
  return groups.map((group, i) => `${group.percent}% (${who(group, i)})`).join(' or ');
}

/** What the status means, with each step number named: the failing step, and the weights kept. */
function statusText(record: RunRecord, color: ChalkInstance): string {
  const f = record.final;
  if (record.status === 'ok') return `${color.green('ok')} · trained ${f.step} step${f.step === 1 ? '' : 's'}`;
  if (record.status === 'interrupted') {
    return `${color.yellow.bold('interrupted')} after step ${f.step} (final = the last probe point)`;
  }
  if (record.divergedAt === 0) {
    return `${color.red.bold('diverged at initialization')} (step 0: non-finite loss or gradient on the probe batch; no step taken)`;
  }
  return `${color.red.bold(`diverged at step ${record.divergedAt}`)} (non-finite loss or gradient; update not applied) · weights kept: after step ${f.step}`;
}

export function renderRunReport(record: RunRecord, color: ChalkInstance, maxWidth?: number): string {
  const lines: string[] = [];
  lines.push(color.bold(runHeader(record, maxWidth)));
  const overlay = theoryOverlay(record);
  const tables = layerTables(record, color, overlay, maxWidth);
  lines.push('', color.bold('At initialization (step 0)'), tables.initial);
  if (record.final.step > 0) {
    lines.push('', color.bold(`After training (step ${record.final.step})`), tables.final);
  }
  lines.push(...layoutNotes(tables.dropped));

  lines.push(
    '',
    `On a fixed batch of ${record.data.probeSamples} held-out samples. z: pre-activation; grad var: Var(∂ℓ/∂z) per sample, with log bars.`,
    `sat: share of (sample, unit) pairs with φ'(z) < 5% of φ's peak slope; dead: units with φ' = 0 on every sample.`,
    ...(record.config.batchNorm
      ? [
          "Batch norm: z is before it (grad var is of ∂ℓ/∂z, before it too), ẑ = γ·(z − μ)/√(σ² + ε) + β after it, φ's input; sat and dead are of φ'(ẑ)." +
            " The probe normalizes with the probe batch's own mean and variance (training mode) at step 0 and after training; train and test acc use the running statistics (evaluation mode)." +
            ' The mean-field theory columns are off: it does not model batch norm (vgrad theory --batch-norm gives its own prediction).',
        ]
      : []),
    `Flags: vanishing/exploding = a hidden layer's width × grad var 10^${Math.log10(GRADIENT_SPAN)} times below/above the top hidden layer's; saturated = sat over` +
      ` ${saturatedLegend()};` +
      ` dead = dead share up > ${DEAD_RISE * 100} points since step 0; non-finite = ±Inf or NaN.`,
  );
  if (record.final.step > 0) {
    lines.push(
      `Verdict not-learning, after ${NOT_LEARNING_MIN_STEPS} steps or more: test acc ≤ chance (1/classes) + ${CHANCE_MARGIN} and train loss ≥ ${1 - LOSS_FALL} × ln(classes), a constant guess's loss` +
        ` (never on --data gaussian, whose labels are random).`,
    );
  }
  if (overlay) {
    lines.push(
      `theory: the mean-field prediction at step 0 (vgrad theory, E[x²] = ${formatNumber(overlay.inputSecondMoment)}), exact only for infinitely wide layers; ÷ theory: measured ÷ predicted;` +
        ` grad theory is anchored on the output layer's measured grad var. ${toleranceNote(overlay)}`,
    );
  }
  const f = record.final;
  const verdictAt = (pick: 'initial' | 'final') => judgeRecord(record, pick).verdict;
  const verdicts =
    record.final.step > 0 ? `verdict at step 0: ${verdictAt('initial')}, at step ${f.step}: ${verdictAt('final')}` : `verdict: ${verdictAt('initial')}`;
  if (record.clipping) {
    const c = record.clipping;
    const share = c.steps > 0 ? ` (${((100 * c.clippedSteps) / c.steps).toFixed(0)}%)` : '';
    lines.push(
      `Clipping: ${c.clippedSteps} of ${c.steps} steps clipped${share}; global gradient norm before clipping: mean ${formatNumber(c.meanPreClipNorm)}, max ${formatNumber(c.maxPreClipNorm)}` +
        ' (per probe point: metrics.jsonl and vgrad export csv).',
    );
  }
  lines.push(
    `status ${statusText(record, color)} · ${verdicts} · train loss ${formatNumber(f.loss)} · train acc ${formatNumber(f.trainAcc)} · test acc ${formatNumber(f.testAcc)}` +
      (record.timing.msPerStep === null ? '' : ` · ${record.timing.msPerStep.toFixed(1)} ms/step`),
    '',
  );
  return lines.join('\n');
}

/** The report for a terminal `maxWidth` cells wide: tables narrowed, every other long line wrapped. */
export function renderFittedReport(record: RunRecord, color: ChalkInstance, maxWidth?: number): string {
  return fitLines(renderRunReport(record, color, maxWidth), maxWidth);
}
