/**
 * The report's charts as vega-lite specifications, built from stored runs only. Each function
 * returns one chart (or null when the runs hold nothing for it); chartRender.ts draws them.
 */
import type { TopLevelSpec } from 'vega-lite';
import { activationFacts, activationsWhere, listInWords } from '../model/activations.js';
import { binCenters, type BinSpec } from '../probes/binSpecs.js';
import type { StoredPoint } from '../store/record.js';
import { configLabel, perRunSample, type StoredRun } from './storedRuns.js';
import { theoryOverlay } from './theoryOverlay.js';
import { sortInits } from './chartScales.js';
import { decadeAxis, EDGE_MARKS, edgeLabel, linearEdge, edgeShapeEncoding, edgeY, initColourEncoding, logDomain, logEdge, valueText } from './chartScales.js';

/** The font every chart uses; chartRender.ts hands resvg the shipped file of this family. */
export const CHART_FONT = 'DejaVu Sans';

export interface Chart {
  /** File name stem, e.g. "depth-profile". */
  name: string;
  title: string;
  /** What the chart shows, one or two sentences under it in the HTML report. */
  caption: string;
  spec: TopLevelSpec;
}

const CONFIG = {
  font: CHART_FONT,
  background: 'white',
  axis: { labelFontSize: 11, titleFontSize: 12 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320 },
  title: { fontSize: 15, anchor: 'start' as const },
};

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

const QUANTITIES = [
  { key: 'preactVar', name: 'z var' },
  { key: 'actVar', name: 'φ(z) var' },
  { key: 'gradVar', name: 'grad var' },
] as const;

export type ScaleMode = 'shared' | 'independent';

/**
 * The chapter at a glance: gradient variance per layer at step 0, one panel per activation (and
 * depth), one line per run coloured by initializer on one shared log axis, the output layer apart.
 * Sized to read at about 900 px (README's headline figure: `npm run headline`).
 */
export function gradientProfileChart(runs: StoredRun[]): Chart {
  const values = profileValues(runs, false).filter((v) => v.quantity === 'grad var' && v.phase === 'step 0' && v.source === 'measured');
  const facets = facetsOf(runs);
  const colour = initColourEncoding(runs.map((run) => run.record.config.init));
  const domain = logDomain(values.filter((v) => !v.diverged || v.run.record.divergedAt !== 0).map((v) => v.value as number), 24) ?? [1e-3, 1e1];
  const present = new Set<string>();
  for (const v of values) {
    const edge = logEdge(v.value, domain);
    if (edge !== 'on') present.add(edgeLabel(edge));
  }
  const width = Math.max(200, Math.min(380, Math.floor(820 / facets.length) - 50));
  const panels = facets.map((facet, i) => {
    const mine = values.filter((v) => facetOf(v.run) === facet);
    const panel = profilePanel(mine, domain, mine[0]?.run.record.config.depth ?? 1, { panel: `${facet} · step 0`, title: facet, yTitle: i === 0 ? 'Var(∂ℓ/∂z), log scale' : null, colour, shapes: edgeShapeEncoding(present), width, height: 250, showX: true });
    for (const layer of panel.layer as { encoding: Record<string, unknown> }[]) {
      if (present.size === 0) delete layer.encoding.shape;
      delete layer.encoding.strokeDash; // measured only: no theory line to tell apart
    }
    return { ...panel, title: { text: facet, fontSize: 15, anchor: 'middle' } };
  });
  return {
    name: 'gradient-profile',
    title: 'Gradients at initialization',
    caption: 'Look for the gradient variance falling (vanishing) or rising (exploding) toward the input side on the left under one initializer and staying level under the other.',
    spec: {
      $schema: SCHEMA,
      config: { ...CONFIG, axis: { labelFontSize: 13, titleFontSize: 14 }, legend: { ...CONFIG.legend, labelFontSize: 14, titleFontSize: 14, symbolSize: 160 }, title: { fontSize: 17, anchor: 'start' as const } },
      title: { text: 'Gradient variance per layer at initialization, by initializer', subtitle: 'measured on the held-out probe batch at step 0; ○ out: the output layer', subtitleFontSize: 13 },
      vconcat: [{ hconcat: panels, spacing: 16 }],
      resolve: { scale: { color: 'shared', shape: 'shared' }, legend: { color: 'shared', shape: 'shared' } },
    } as unknown as TopLevelSpec,
  };
}

/** Longest a shared log axis gets (decades) before the farthest outliers go to edge marks. */
export const MAX_DECADES = 20;

interface ProfileValue {
  run: StoredRun;
  quantity: string;
  phase: string;
  /** Hidden layer index, or depth+1 for the output layer. */
  layer: number;
  output: boolean;
  source: 'measured' | 'theory';
  value: number | null;
  /** Excluded from choosing the shared range (its run diverged; most of a folded group's runs did). */
  diverged: boolean;
  /** The tooltip's value when it is not the value itself: what a folded mark stands for. */
  text?: string;
}

/** Configurations with more runs than this (seeds, repeats) are drawn folded: one line per configuration. */
export const FOLD_ABOVE = 3;

/** What a run's configuration is without its seed: the runs one folded line stands for. */
function foldKey(run: StoredRun): string {
  const { seed: _seed, out: _out, tensorboard: _tb, backend: _backend, threads: _threads, ...rest } = run.record.config as unknown as Record<string, unknown>;
  return JSON.stringify(rest);
}

/**
 * Folds the values of configurations with more than FOLD_ABOVE runs: per layer, statistic and phase,
 * the finite positive values become one value (their geometric mean; the tooltip gives how many, and
 * the smallest and largest), and each kind of value no axis shows (exact 0, ±Inf, NaN, negative) one
 * value of that kind saying in how many runs it occurred. Every stored value is in one mark.
 */
function foldValues(values: ProfileValue[], runs: StoredRun[]): ProfileValue[] {
  const groups = new Map<string, StoredRun[]>();
  for (const run of runs) {
    const key = foldKey(run);
    const group = groups.get(key);
    if (group) group.push(run);
    else groups.set(key, [run]);
  }
  const folded = new Map<StoredRun, StoredRun>();
  const sizes = new Map<StoredRun, number>();
  for (const group of groups.values()) {
    if (group.length <= FOLD_ABOVE) continue;
    const first = group[0];
    const stand = { ...first, label: `${configLabel(first.record)} · ${group.length} runs` };
    sizes.set(stand, group.length);
    for (const run of group) folded.set(run, stand);
  }
  if (folded.size === 0) return values;
  const out: ProfileValue[] = values.filter((v) => !folded.has(v.run));
  const buckets = new Map<string, ProfileValue[]>();
  for (const v of values) {
    const stand = folded.get(v.run);
    if (!stand) continue;
    const kind = typeof v.value === 'number' && Number.isFinite(v.value) && v.value > 0 ? 'finite' : valueText(v.value === null ? NaN : v.value < 0 && Number.isFinite(v.value) ? -1 : v.value);
    const key = `${stand.label}|${v.quantity}|${v.phase}|${v.layer}|${v.source}|${kind}`;
    const bucket = buckets.get(key);
    if (bucket) bucket.push(v);
    else buckets.set(key, [v]);
  }
  for (const bucket of buckets.values()) {
    const stand = folded.get(bucket[0].run)!;
    const total = sizes.get(stand)!;
    const diverged = bucket.filter((v) => v.diverged).length * 2 > bucket.length;
    const finite = bucket.filter((v) => typeof v.value === 'number' && Number.isFinite(v.value) && v.value > 0).map((v) => v.value as number);
    if (bucket[0].source === 'theory') {
      out.push({ ...bucket[0], run: stand, diverged, text: `${valueText(bucket[0].value)} (the prediction for the first of ${total} runs)` });
    } else if (finite.length === bucket.length) {
      const mean = 10 ** (finite.reduce((a, v) => a + Math.log10(v), 0) / finite.length);
      out.push({ ...bucket[0], run: stand, value: mean, diverged, text: `${valueText(mean)} (geometric mean of ${finite.length} of ${total} runs, ${valueText(Math.min(...finite))}…${valueText(Math.max(...finite))})` });
    } else {
      out.push({ ...bucket[0], run: stand, diverged, text: `${valueText(bucket[0].value)} in ${bucket.length} of ${total} runs` });
    }
  }
  return out;
}

const depthOf = (run: StoredRun) => run.record.config.depth;
const byNumber = (a: number, b: number) => a - b;

/** Every value the depth profile draws, one per (run, phase, quantity, layer, source). */
function profileValues(runs: StoredRun[], withTheory = true): ProfileValue[] {
  const values: ProfileValue[] = [];
  // A folded configuration's theory is its first run's (its runs differ only in E[x²] of their split).
  const sizes = new Map<string, number>();
  for (const run of runs) sizes.set(foldKey(run), (sizes.get(foldKey(run)) ?? 0) + 1);
  const theoryDone = new Set<string>();
  for (const run of runs) {
    const { record } = run;
    const key = foldKey(run);
    const skipTheory = sizes.get(key)! > FOLD_ABOVE && theoryDone.has(key);
    theoryDone.add(key);
    const overlay = withTheory && !skipTheory ? theoryOverlay(record) : null;
    const phases: ['initial' | 'final', string][] = [['initial', 'step 0']];
    if (record.final.step > 0) phases.push(['final', 'end']);
    for (const [pick, phase] of phases) {
      record.layers.forEach((layer, l) => {
        const output = layer.kind === 'output';
        for (const q of QUANTITIES) {
          const base = { run, quantity: q.name, phase, layer: layer.index, output };
          const diverged = record.status === 'diverged';
          values.push({ ...base, source: 'measured', value: layer[pick][q.key], diverged });
          if (pick === 'initial' && overlay && !output) {
            const predicted = q.key === 'preactVar' ? overlay.prediction.layers[l].preactVar : q.key === 'actVar' ? overlay.prediction.layers[l].actVar : overlay.layers[l].predictedGradVar;
            if (typeof predicted === 'number' && Number.isFinite(predicted)) values.push({ ...base, source: 'theory', value: predicted, diverged });
          }
        }
      });
    }
  }
  return foldValues(values, runs);
}

/**
 * One depth-profile panel: hidden layers joined by a line per run (broken wherever a value is off
 * the axis), the theory dashed, the output layer a hollow mark apart at "out", and every value the
 * axis cannot show an edge mark at the bottom or top with its value in the tooltip.
 */
function profilePanel(values: ProfileValue[], domain: [number, number], depth: number, opts: { panel: string; title: string | null; yTitle: string | null; colour: Record<string, unknown>; shapes: Record<string, unknown>; width: number; height: number; showX: boolean }): Record<string, unknown> {
  const rows: Record<string, unknown>[] = [];
  const series = new Map<string, ProfileValue[]>();
  for (const v of values) {
    const key = `${v.run.label}|${v.source}`;
    const list = series.get(key);
    if (list) list.push(v);
    else series.set(key, [v]);
  }
  for (const [key, list] of series) {
    let segment = 0;
    for (const v of [...list].sort((a, b) => a.layer - b.layer)) {
      const edge = logEdge(v.value, domain);
      const base = { config: v.run.label, init: v.run.record.config.init, quantity: v.quantity, panel: opts.panel, layer: v.output ? depth + 2 : v.layer, layerName: v.output ? 'out' : String(v.layer), source: v.source, text: v.text ?? valueText(v.value) };
      if (edge !== 'on') {
        segment++;
        rows.push({ ...base, kind: 'edge', y: edgeY(edge, domain), edge: edgeLabel(edge) });
      } else if (v.output) rows.push({ ...base, kind: 'out', y: v.value });
      else rows.push({ ...base, kind: 'line', y: v.value, series: `${key}|${segment}` });
    }
  }
  const tooltip = [{ field: 'config' }, { field: 'quantity' }, { field: 'layerName', title: 'layer' }, { field: 'text', title: 'value' }, { field: 'source' }];
  const x = {
    field: 'layer',
    type: 'quantitative',
    title: opts.showX ? 'layer (input side left)' : null,
    scale: { domain: [0.5, depth + 2.5], nice: false, zero: false },
    axis: { values: [...Array.from({ length: depth }, (_, i) => i + 1), depth + 2], labelExpr: `datum.value == ${depth + 2} ? 'out' : datum.value % ${depth > 12 ? 5 : 1} == 0 || datum.value == 1 ? format(datum.value, 'd') : ''`, grid: false, labelOverlap: false },
  };
  const y = { field: 'y', type: 'quantitative', scale: { type: 'log', domain, nice: false, clamp: true }, axis: { ...decadeAxis(domain, 6, opts.yTitle), minExtent: 44 } };
  return {
    ...(opts.title ? { title: { text: opts.title, fontSize: 12, anchor: 'middle' } } : {}),
    width: opts.width,
    height: opts.height,
    data: { values: rows },
    layer: [
      {
        transform: [{ filter: "datum.kind == 'line'" }],
        mark: { type: 'line', strokeWidth: 1.6 },
        encoding: { x, y, color: opts.colour, detail: { field: 'series', type: 'nominal' }, strokeDash: { field: 'source', type: 'nominal', title: 'line', scale: { domain: ['measured', 'theory'], range: [[1, 0], [5, 3]] }, legend: { orient: 'top', symbolType: 'stroke', symbolStrokeWidth: 2, symbolStrokeColor: '#333', symbolSize: 400 } }, tooltip },
      },
      {
        transform: [{ filter: "datum.kind == 'line' && datum.source == 'measured'" }],
        mark: { type: 'point', filled: true, size: 14 },
        encoding: { x, y, color: opts.colour, tooltip },
      },
      {
        transform: [{ filter: "datum.kind == 'out'" }],
        mark: { type: 'point', filled: false, size: 40, strokeWidth: 1.5 },
        encoding: { x, y, color: opts.colour, tooltip },
      },
      {
        transform: [{ filter: "datum.kind == 'edge'" }],
        mark: { type: 'point', filled: true, size: 50, opacity: 0.9 },
        encoding: { x, y, color: opts.colour, shape: opts.shapes, tooltip: [...tooltip, { field: 'edge', title: 'drawn at the edge' }] },
      },
    ],
  };
}

/**
 * Depth profile: z var, φ(z) var and grad var against the layer, log scale, one line per run
 * coloured by initializer; a column per activation and probe point (step 0, end), a row per
 * statistic (and depth when the runs have several); the mean-field prediction dashed beside the
 * step-0 measurement. With `scale: 'shared'` (default) each statistic has one y-range across its
 * panels, chosen from the runs that did not diverge; 'independent' fits each panel to its values.
 */
export function depthProfileChart(runs: StoredRun[], options: { scale?: ScaleMode } = {}): Chart {
  const scale = options.scale ?? 'shared';
  const values = profileValues(runs);
  const acts = [...new Set(runs.map((run) => run.record.config.act))].sort();
  const depths = [...new Set(runs.map(depthOf))].sort(byNumber);
  const phases = runs.some((run) => run.record.final.step > 0) ? ['step 0', 'end'] : ['step 0'];
  const colour = initColourEncoding(runs.map((run) => run.record.config.init));
  const shapes = edgeShapeEncoding(EDGE_MARKS.map((m) => m.label));
  const shared = new Map<string, [number, number]>();
  for (const q of QUANTITIES) {
    const pool = values.filter((v) => v.quantity === q.name && !v.diverged).map((v) => v.value as number);
    shared.set(q.name, logDomain(pool, MAX_DECADES) ?? [1e-3, 1e1]);
  }
  const present = new Set<string>();
  const rows: Record<string, unknown>[] = [];
  const panelWidth = Math.max(140, Math.min(220, Math.floor(1080 / (acts.length * phases.length)) - 60));
  for (const depth of depths) {
    QUANTITIES.forEach((q, qi) => {
      const panels: Record<string, unknown>[] = [];
      for (const act of acts) {
        for (const phase of phases) {
          const mine = values.filter((v) => v.quantity === q.name && v.phase === phase && v.run.record.config.act === act && depthOf(v.run) === depth);
          if (mine.length === 0 && !runs.some((run) => run.record.config.act === act && depthOf(run) === depth)) continue;
          const domain = scale === 'shared' ? shared.get(q.name)! : logDomain(mine.map((v) => v.value as number)) ?? [1e-3, 1e1];
          for (const v of mine) {
            const edge = logEdge(v.value, domain);
            if (edge !== 'on') present.add(edgeLabel(edge));
          }
          const first = panels.length === 0;
          panels.push(
            profilePanel(mine, domain, depth, {
              panel: `${act} · depth ${depth} · ${phase}`,
              title: qi === 0 ? `${act}${depths.length > 1 ? ` · depth ${depth}` : ''} · ${phase}` : null,
              yTitle: first ? q.name : null,
              colour,
              shapes,
              width: panelWidth,
              height: 130,
              showX: qi === QUANTITIES.length - 1,
            }),
          );
        }
      }
      if (panels.length > 0) rows.push({ hconcat: panels, spacing: 8 });
    });
  }
  // The shape legend lists only the edge marks drawn.
  const shapeScale = edgeShapeEncoding(present);
  for (const row of rows) {
    for (const panel of row.hconcat as { layer: { encoding: Record<string, unknown> }[] }[]) {
      for (const layer of panel.layer) {
        if (!layer.encoding.shape) continue;
        if (present.size > 0) layer.encoding.shape = shapeScale;
        else delete layer.encoding.shape;
      }
    }
  }
  return {
    name: 'depth-profile',
    title: 'Depth profile',
    caption: 'Look at the bottom row: a gradient line falling toward the input side (left) is vanishing, one rising is exploding, and a dashed theory line lying on the solid one means the mean-field prediction holds.',
    spec: {
      $schema: SCHEMA,
      config: { ...CONFIG, concat: { spacing: 10 } },
      vconcat: rows,
      spacing: 6,
      resolve: { scale: { color: 'shared', shape: 'shared', strokeDash: 'shared' }, legend: { color: 'shared', shape: 'shared', strokeDash: 'shared' } },
    } as unknown as TopLevelSpec,
  };
}

/** The facet of a run in the charts that colour by initializer: its activation and depth. */
const facetOf = (run: StoredRun) => `${run.record.config.act} · depth ${run.record.config.depth}`;

/** Facets in reading order: activation by name, depth by number. */
function facetsOf(runs: StoredRun[]): string[] {
  const keys = new Map<string, [string, number]>();
  for (const run of runs) keys.set(facetOf(run), [run.record.config.act, run.record.config.depth]);
  return [...keys].sort(([, a], [, b]) => a[0].localeCompare(b[0]) || a[1] - b[1]).map(([key]) => key);
}

/** Chance accuracy of a run: one over the output layer's units (the classes). */
const chanceOf = (run: StoredRun) => 1 / (run.record.layers[run.record.layers.length - 1]?.fanOut ?? 10);

interface CurveValue {
  run: StoredRun;
  series: 'probe loss' | 'train loss' | 'probe acc' | 'final test acc';
  step: number;
  value: number | null;
  /** What a folded mark stands for (absent: the value itself). */
  text?: string;
}

/** A run's training-curve values: probe loss, train loss and probe accuracy per probe point, the final test accuracy. */
function curveValues(run: StoredRun): CurveValue[] {
  const values: CurveValue[] = [];
  for (const point of run.points) {
    values.push({ run, series: 'probe loss', step: point.step, value: point.probeLoss });
    if (point.trainLoss !== null) values.push({ run, series: 'train loss', step: point.step, value: point.trainLoss });
    values.push({ run, series: 'probe acc', step: point.step, value: point.probeAcc });
  }
  values.push({ run, series: 'final test acc', step: run.record.final.step, value: run.record.final.testAcc });
  return values;
}

/**
 * Folds the curves of configurations with more than FOLD_ABOVE runs, as the depth profile does: per
 * series and step, the finite values become their mean (geometric for losses) and each non-finite
 * kind one value saying in how many runs it occurred.
 */
function foldCurves(values: CurveValue[]): CurveValue[] {
  const groups = new Map<string, Set<StoredRun>>();
  for (const v of values) {
    const key = foldKey(v.run);
    const group = groups.get(key) ?? new Set<StoredRun>();
    group.add(v.run);
    groups.set(key, group);
  }
  const stands = new Map<StoredRun, { stand: StoredRun; total: number }>();
  for (const group of groups.values()) {
    if (group.size <= FOLD_ABOVE) continue;
    const first = [...group][0];
    const stand = { ...first, label: `${configLabel(first.record)} · ${group.size} runs` };
    for (const run of group) stands.set(run, { stand, total: group.size });
  }
  if (stands.size === 0) return values;
  const out = values.filter((v) => !stands.has(v.run));
  const buckets = new Map<string, CurveValue[]>();
  for (const v of values) {
    const folded = stands.get(v.run);
    if (!folded) continue;
    const kind = typeof v.value === 'number' && Number.isFinite(v.value) ? 'finite' : valueText(v.value);
    const key = `${folded.stand.label}|${v.series}|${v.step}|${kind}`;
    const bucket = buckets.get(key);
    if (bucket) bucket.push(v);
    else buckets.set(key, [v]);
  }
  for (const bucket of buckets.values()) {
    const { stand, total } = stands.get(bucket[0].run)!;
    const finite = bucket.map((v) => v.value).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (finite.length === bucket.length) {
      const geometric = bucket[0].series.endsWith('loss') && finite.every((v) => v > 0);
      const mean = geometric ? 10 ** (finite.reduce((a, v) => a + Math.log10(v), 0) / finite.length) : finite.reduce((a, v) => a + v, 0) / finite.length;
      out.push({ ...bucket[0], run: stand, value: mean, text: `${valueText(mean)} (${geometric ? 'geometric ' : ''}mean of ${finite.length} of ${total} runs, ${valueText(Math.min(...finite))}…${valueText(Math.max(...finite))})` });
    } else out.push({ ...bucket[0], run: stand, text: `${valueText(bucket[0].value)} in ${bucket.length} of ${total} runs` });
  }
  return out;
}

/**
 * Training curves: a row per activation and depth, loss (log axis, shared by every row) and
 * accuracy (0–1, chance dotted) against the step, one line per run coloured by initializer;
 * values the loss axis cannot show (non-finite, beyond the range) are edge marks.
 */
export function trainingCurvesChart(runs: StoredRun[]): Chart | null {
  if (!runs.some((run) => run.points.some((point) => point.step > 0))) return null;
  const colour = initColourEncoding(runs.map((run) => run.record.config.init));
  const losses = runs.filter((run) => run.record.status !== 'diverged').flatMap((run) => run.points.flatMap((point) => [point.probeLoss, point.trainLoss ?? NaN]));
  const lossDomain = logDomain(losses, 8) ?? [1e-2, 1e1];
  const present = new Set<string>();
  const edgeRow = (run: StoredRun, step: number, series: string, value: number | null, text: string | undefined, domain: [number, number], log: boolean, rows: Record<string, unknown>[]) => {
    const edge = log ? logEdge(value, domain) : linearEdge(value, domain);
    const base = { config: run.label, init: run.record.config.init, step, series, text: text ?? valueText(value) };
    if (edge === 'on') return rows.push({ ...base, kind: 'line', y: value, path: `${run.label}|${series}` });
    present.add(edgeLabel(edge));
    rows.push({ ...base, kind: 'edge', y: edgeY(edge, domain), edge: edgeLabel(edge) });
  };
  const panels: { facet: string; loss: Record<string, unknown>[]; acc: Record<string, unknown>[]; chance: number }[] = [];
  for (const facet of facetsOf(runs)) {
    const mine = runs.filter((run) => facetOf(run) === facet);
    const loss: Record<string, unknown>[] = [];
    const acc: Record<string, unknown>[] = [];
    for (const v of foldCurves(mine.flatMap(curveValues))) {
      if (v.series === 'final test acc') {
        const edge = linearEdge(v.value, [0, 1]);
        acc.push({ config: v.run.label, init: v.run.record.config.init, step: v.step, series: v.series, text: v.text ?? valueText(v.value), kind: edge === 'on' ? 'final' : 'edge', y: edge === 'on' ? v.value : 0, ...(edge === 'on' ? {} : { edge: edgeLabel(edge) }) });
        if (edge !== 'on') present.add(edgeLabel(edge));
      } else if (v.series === 'probe acc') edgeRow(v.run, v.step, v.series, v.value, v.text, [0, 1], false, acc);
      else edgeRow(v.run, v.step, v.series, v.value, v.text, lossDomain, true, loss);
    }
    panels.push({ facet, loss, acc, chance: chanceOf(mine[0]) });
  }
  const shapes = edgeShapeEncoding(present);
  const tooltip = [{ field: 'config' }, { field: 'series' }, { field: 'step' }, { field: 'text', title: 'value' }];
  const x = { field: 'step', type: 'quantitative', title: 'step', axis: { tickCount: 5, grid: false } };
  const lines = (y: Record<string, unknown>) => [
    {
      transform: [{ filter: "datum.kind == 'line'" }],
      mark: { type: 'line', strokeWidth: 1.6 },
      encoding: {
        x,
        y,
        color: colour,
        detail: { field: 'path', type: 'nominal' },
        opacity: { field: 'seriesName', type: 'ordinal', title: 'series', scale: { domain: ['probe (held-out batch)', 'train (minibatch mean)'], range: [1, 0.35] }, legend: { orient: 'top', symbolType: 'stroke', symbolStrokeWidth: 3, symbolStrokeColor: '#333' } },
        tooltip,
      },
    },
    ...(present.size > 0 ? [{ transform: [{ filter: "datum.kind == 'edge'" }], mark: { type: 'point', filled: true, size: 50 }, encoding: { x, y, color: colour, shape: shapes, tooltip: [...tooltip, { field: 'edge', title: 'drawn at the edge' }] } }] : []),
  ];
  const named = (rows: Record<string, unknown>[]) => rows.map((row) => ({ ...row, seriesName: String(row.series).startsWith('train') ? 'train (minibatch mean)' : 'probe (held-out batch)' }));
  const rows = panels.map((panel, i) => ({
    hconcat: [
      {
        title: { text: panel.facet, anchor: 'start', fontSize: 12 },
        width: 300,
        height: 130,
        data: { values: named(panel.loss) },
        layer: lines({ field: 'y', type: 'quantitative', title: i === 0 ? 'loss (log)' : 'loss', scale: { type: 'log', domain: lossDomain, nice: false, clamp: true }, axis: { ...decadeAxis(lossDomain, 6, 'loss (log)'), format: '~g' } }),
      },
      {
        width: 300,
        height: 130,
        data: { values: named(panel.acc) },
        layer: [
          ...lines({ field: 'y', type: 'quantitative', title: 'accuracy', scale: { domain: [0, 1], nice: false }, axis: { values: [0, 0.25, 0.5, 0.75, 1], format: '.0%' } }),
          { data: { values: [{ chance: panel.chance }] }, mark: { type: 'rule', strokeDash: [2, 2], color: '#666' }, encoding: { y: { field: 'chance', type: 'quantitative' } } },
          { data: { values: [{ chance: panel.chance, step: 0 }] }, mark: { type: 'text', align: 'left', dx: 3, dy: -6, fontSize: 10, color: '#666' }, encoding: { y: { field: 'chance', type: 'quantitative' }, x: { field: 'step', type: 'quantitative' }, text: { value: 'chance' } } },
          {
            transform: [{ filter: "datum.kind == 'final'" }],
            mark: { type: 'point', shape: 'diamond', filled: true, size: 70 },
            encoding: { x, y: { field: 'y', type: 'quantitative' }, color: colour, tooltip },
          },
        ],
      },
    ],
    spacing: 12,
  }));
  return {
    name: 'training-curves',
    title: 'Training curves',
    caption: 'Look for which initializer’s loss falls and whose accuracy leaves the dotted chance line, row by row (◆ the final test accuracy on the whole test split).',
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
      vconcat: rows,
      spacing: 10,
      resolve: { scale: { color: 'shared', shape: 'shared', opacity: 'shared' } },
    } as unknown as TopLevelSpec,
  };
}

/**
 * Final test accuracy against depth, one line per initializer (mean over seeds, each seed a dot), a
 * panel per activation, chance dotted: the chart that says deep nets train only with the right init.
 */
export function accuracyByDepthChart(runs: StoredRun[]): Chart | null {
  const trained = runs.filter((run) => run.record.final.step > 0);
  if (trained.length === 0) return null;
  const colour = initColourEncoding(trained.map((run) => run.record.config.init));
  const acts = [...new Set(trained.map((run) => run.record.config.act))].sort();
  const depths = [...new Set(trained.map(depthOf))].sort(byNumber);
  const present = new Set<string>();
  const panels = acts.map((act, i) => {
    const rows: Record<string, unknown>[] = [];
    const groups = new Map<string, number[]>();
    for (const run of trained.filter((r) => r.record.config.act === act)) {
      const value = run.record.final.testAcc;
      const edge = linearEdge(value, [0, 1]);
      const base = { config: run.label, init: run.record.config.init, depth: depthOf(run), text: valueText(value), status: run.record.status };
      if (edge === 'on') {
        rows.push({ ...base, kind: 'seed', y: value });
        const key = `${run.record.config.init}|${depthOf(run)}`;
        groups.set(key, [...(groups.get(key) ?? []), value]);
      } else {
        present.add(edgeLabel(edge));
        rows.push({ ...base, kind: 'edge', y: edgeY(edge, [0, 1]), edge: edgeLabel(edge) });
      }
    }
    for (const [key, list] of groups) {
      const [init, depth] = key.split('|');
      rows.push({ kind: 'mean', init, depth: Number(depth), y: list.reduce((a, b) => a + b, 0) / list.length, seeds: list.length });
    }
    const x = { field: 'depth', type: 'quantitative', title: 'hidden layers', scale: { type: depths.length > 1 && depths[depths.length - 1] / depths[0] > 8 ? 'log' : 'linear', domain: [depths[0], depths[depths.length - 1]], nice: false, zero: false }, axis: { values: depths, format: 'd', grid: false } };
    const y = { field: 'y', type: 'quantitative', title: i === 0 ? 'final test accuracy' : null, scale: { domain: [0, 1], nice: false }, axis: { values: [0, 0.25, 0.5, 0.75, 1], format: '.0%' } };
    return {
      title: { text: act, fontSize: 12 },
      width: Math.max(160, Math.min(280, Math.floor(1000 / acts.length) - 40)),
      height: 180,
      data: { values: rows },
      layer: [
        { transform: [{ filter: "datum.kind == 'mean'" }], mark: { type: 'line', strokeWidth: 2, point: { filled: true, size: 40 } }, encoding: { x, y, color: colour, tooltip: [{ field: 'init' }, { field: 'depth' }, { field: 'y', title: 'mean test acc', format: '.3f' }, { field: 'seeds' }] } },
        { transform: [{ filter: "datum.kind == 'seed'" }], mark: { type: 'point', filled: false, size: 24, opacity: 0.7 }, encoding: { x, y, color: colour, tooltip: [{ field: 'config' }, { field: 'text', title: 'test acc' }, { field: 'status' }] } },
        ...(present.size > 0 ? [{ transform: [{ filter: "datum.kind == 'edge'" }], mark: { type: 'point', filled: true, size: 50 }, encoding: { x, y, color: colour, shape: edgeShapeEncoding(present), tooltip: [{ field: 'config' }, { field: 'text', title: 'test acc' }, { field: 'status' }] } }] : []),
        { data: { values: [{ chance: chanceOf(trained[0]) }] }, mark: { type: 'rule', strokeDash: [2, 2], color: '#666' }, encoding: { y: { field: 'chance', type: 'quantitative' } } },
      ],
    };
  });
  return {
    name: 'accuracy-by-depth',
    title: 'Accuracy by depth',
    caption: 'Look for the initializers whose line stays high as the nets get deeper and those that fall to the dotted chance line: deep nets train only with the right initialization.',
    spec: { $schema: SCHEMA, config: CONFIG, hconcat: panels, spacing: 14, resolve: { scale: { color: 'shared', shape: 'shared' } } } as unknown as TopLevelSpec,
  };
}

/** The one-sided family (relu's) is "saturated" on half its inputs by design: its map shows dead units instead. */
const showsDead = (act: string) => activationFacts(act)?.family === 'one-sided';

/** Saturation map: layer × probe step, shaded by the saturated share (dead share for the relu family). */
export function saturationMapChart(runs: StoredRun[]): Chart | null {
  const rows: Record<string, unknown>[] = [];
  for (const run of runs) {
    const dead = showsDead(run.record.config.act);
    for (const point of run.points) {
      point.layers.forEach((layer, l) => {
        const value = dead ? layer.dead : layer.saturated;
        if (typeof value === 'number' && Number.isFinite(value)) {
          rows.push({ config: `${run.label} (${dead ? 'dead' : 'saturated'})`, layer: l + 1, step: point.step, share: value });
        }
      });
    }
  }
  if (rows.length === 0) return null;
  return {
    name: 'saturation-map',
    title: 'Saturation map',
    caption: `Look for dark cells: the share of saturated (sample, unit) pairs, φ'(z) below 5% of its peak, per hidden layer and step (dead units for ${listInWords(activationsWhere((facts) => facts.family === 'one-sided'))}), as in Glorot & Bengio (2010) Figs. 2–3.`,
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
      data: { values: rows },
      // Wrapped facet, one column: each configuration's name above its map.
      facet: { field: 'config', type: 'nominal', title: null, header: { labelAnchor: 'start', labelLimit: 600 } },
      columns: 1,
      spec: {
        width: 480,
        // A fixed height (a step height with independent scales fails in vega-lite's facet).
        height: Math.max(60, 14 * Math.max(...runs.map((run) => run.record.layers.length - 1))),
        mark: 'rect',
        encoding: {
          x: { field: 'step', type: 'ordinal', title: 'step', axis: { labelOverlap: true, labelAngle: 0 } },
          y: { field: 'layer', type: 'ordinal', title: 'layer', sort: 'descending' },
          color: { field: 'share', type: 'quantitative', title: 'share', scale: { domain: [0, 1], scheme: 'orangered' }, legend: { format: '.0%' } },
          tooltip: [{ field: 'config' }, { field: 'layer' }, { field: 'step' }, { field: 'share', format: '.1%' }],
        },
      },
      resolve: { scale: { x: 'independent', y: 'independent' } },
    } as TopLevelSpec,
  };
}

/** The probe points a histogram chart shows: the first and the last (or those nearest to `steps`). */
export function histogramPoints(points: StoredPoint[], steps?: number[]): StoredPoint[] {
  const withHistograms = points.filter((point) => point.histograms && point.histograms.length > 0);
  if (withHistograms.length === 0) return [];
  if (!steps) return [...new Set([withHistograms[0], withHistograms[withHistograms.length - 1]])];
  const nearest = (step: number) => withHistograms.reduce((best, point) => (Math.abs(point.step - step) < Math.abs(best.step - step) ? point : best));
  return [...new Set(steps.map(nearest))].sort((a, b) => a.step - b.step);
}

/** An x axis for one bin spec: the value for linear bins, "±1eK" decades for signed-log10. */
function binAxis(spec: BinSpec): Record<string, unknown> {
  if (spec.kind === 'linear') return { field: 'x', type: 'quantitative', title: 'value', scale: { domain: [spec.low, spec.high] } };
  // Position p = ±(decade − minExp + 2), 0 for exact zeros (binCenters): ticks every 4 decades, labelled.
  const ticks: number[] = [0];
  for (let e = spec.minExp; e < spec.maxExp; e += 4) ticks.push(e - spec.minExp + 2, -(e - spec.minExp + 2));
  const offset = spec.minExp - 2;
  return {
    field: 'x',
    type: 'quantitative',
    title: 'value (signed decades)',
    scale: { domain: [-(spec.maxExp - spec.minExp + 2), spec.maxExp - spec.minExp + 2], nice: false },
    axis: { values: ticks.sort((a, b) => a - b), labelExpr: `datum.value == 0 ? '0' : (datum.value < 0 ? '−' : '') + '1e' + (abs(datum.value) + ${offset})`, labelAngle: -45 },
  };
}

/**
 * Histograms (Glorot & Bengio Fig. 6–7 analogue) of one kind, for runs sharing one bin spec: a row
 * per configuration, a column per chosen step, one line per layer (share of values per bin).
 */
function histogramChart(kind: 'act' | 'grad', runs: StoredRun[], spec: BinSpec, name: string, title: string, steps?: number[]): Chart | null {
  const centers = binCenters(spec);
  const rows: Record<string, unknown>[] = [];
  for (const run of runs) {
    for (const point of histogramPoints(run.points, steps)) {
      point.histograms!.forEach((layer, l) => {
        const isOutput = l === point.histograms!.length - 1;
        if (isOutput && kind === 'act') return; // softmax has other bins; hidden layers only
        const counts = layer[kind].counts;
        const total = counts.reduce((a, b) => a + b, 0);
        counts.forEach((count, i) => {
          if (!Number.isFinite(centers[i]) || total === 0) return; // the NaN bin has no place on the axis
          // Under/over bins of linear specs sit half a bin outside the range: clipped values stay visible.
          rows.push({ config: run.label, step: `step ${point.step}`, stepNumber: point.step, layer: isOutput ? `${l + 1} out` : `layer ${l + 1}`, x: centers[i], share: count / total });
        });
      });
    }
  }
  if (rows.length === 0) return null;
  const what = kind === 'act' ? 'activation values φ(z)' : 'back-propagated gradients ∂ℓ/∂z (per sample)';
  return {
    name,
    title,
    caption: `Look for the layers' curves moving apart or piling up at the ends: the share of ${what} per fixed bin (${
      spec.kind === 'linear' ? `width ${(spec.high - spec.low) / spec.bins} on [${spec.low}, ${spec.high}]` : `one decade of |value| each, 1e${spec.minExp}…1e${spec.maxExp}`
    }), one line per layer, as in Glorot & Bengio (2010) Fig. ${kind === 'act' ? 6 : 7}.`,
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
      data: { values: rows },
      facet: {
        row: { field: 'config', type: 'nominal', title: null },
        column: { field: 'step', type: 'nominal', title: null, sort: { field: 'stepNumber' } },
      },
      spec: {
        width: 260,
        height: 140,
        mark: { type: 'line', interpolate: 'step', strokeWidth: 1.4 },
        encoding: {
          x: binAxis(spec),
          y: { field: 'share', type: 'quantitative', title: 'share', axis: { format: '.0%' } },
          color: { field: 'layer', type: 'nominal', title: 'layer', sort: { field: 'x' }, scale: { scheme: 'viridis' } },
        },
      },
    } as TopLevelSpec,
  };
}

/**
 * Gradient histograms as ridgelines (Glorot & Bengio 2010 Fig. 7, TensorBoard's offset view): a
 * panel per run and chosen probe step, one ridge per layer (input side at the bottom), each ridge
 * scaled to its own tallest bin, on one signed-log x-axis shared by every ridge and panel and cut to
 * the decades any bin occupies. Bins of NaN are written under the panel's title.
 */
function gradientRidgelineChart(runs: StoredRun[], spec: BinSpec, steps?: number[]): Chart | null {
  if (spec.kind !== 'signed-log10') return null;
  const centers = binCenters(spec);
  const rows: Record<string, unknown>[] = [];
  const panels: string[] = [];
  const nanNotes = new Map<string, number>();
  let reach = 1;
  let maxLayers = 1;
  const initOrder = sortInits(runs.map((run) => run.record.config.init));
  const ordered = [...runs].sort((a, b) => a.record.config.act.localeCompare(b.record.config.act) || depthOf(a) - depthOf(b) || initOrder.indexOf(a.record.config.init) - initOrder.indexOf(b.record.config.init));
  const stepsOf = new Map(ordered.map((run) => [run, histogramPoints(run.points, steps)]));
  const allSteps = [...new Set([...stepsOf.values()].flatMap((points) => points.map((p) => p.step)))].sort(byNumber);
  for (const step of allSteps) {
    for (const run of ordered) {
      const point = stepsOf.get(run)!.find((p) => p.step === step);
      if (!point) continue;
      const panel = `${run.label} · step ${step}`;
      panels.push(panel);
      const histograms = point.histograms!;
      maxLayers = Math.max(maxLayers, histograms.length);
      histograms.forEach((layer, l) => {
        const counts = layer.grad.counts;
        const total = counts.reduce((a, b) => a + b, 0);
        if (total === 0) return;
        // Scaled to the tallest bin off zero: dead units' exact zeros (half of a ReLU layer) would flatten the rest; the zero bin is capped.
        const top = Math.max(...counts.filter((_, i) => Number.isFinite(centers[i]) && centers[i] !== 0), 1);
        const nan = counts.filter((_, i) => !Number.isFinite(centers[i])).reduce((a, b) => a + b, 0);
        if (nan > 0) nanNotes.set(panel, (nanNotes.get(panel) ?? 0) + nan);
        const name = l === histograms.length - 1 ? 'out' : `layer ${l + 1}`;
        // The ridge closes at the bins on either side of what it holds, so it starts and ends at its base.
        counts.forEach((count, i) => {
          if (!Number.isFinite(centers[i])) return;
          const near = count > 0 || (i > 0 && counts[i - 1] > 0) || (i + 1 < counts.length && counts[i + 1] > 0 && Number.isFinite(centers[i + 1]));
          if (!near) return;
          if (count > 0) reach = Math.max(reach, Math.abs(centers[i]) + 1);
          rows.push({ panel, init: run.record.config.init, layer: name, ridge: `${panel}|${l}`, x: centers[i], base: l, top: l + 1.6 * Math.min(1, count / top), share: count / total });
        });
      });
    }
  }
  if (rows.length === 0) return null;
  const offset = spec.minExp - 2;
  const tickStep = reach > 16 ? 4 : 2;
  const ticks: number[] = [0];
  for (let p = tickStep; p <= reach; p += tickStep) ticks.push(p, -p);
  const colour = initColourEncoding(runs.map((run) => run.record.config.init));
  const labelled = panels.map((panel) => (nanNotes.has(panel) ? `${panel} (NaN: ${nanNotes.get(panel)})` : panel));
  for (const row of rows) if (nanNotes.has(row.panel as string)) row.panel = `${row.panel} (NaN: ${nanNotes.get(row.panel as string)})`;
  const columns = Math.min(4, Math.max(1, Math.ceil(panels.length / allSteps.length)));
  return {
    name: 'histogram-gradients',
    title: 'Gradient histograms',
    caption: 'Look for the ridges closing in toward 0 from the top layer down to layer 1 (vanishing) or spreading out (exploding), one initializer beside the other, as in Glorot & Bengio (2010) Fig. 7.',
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
      data: { values: rows },
      facet: { field: 'panel', type: 'nominal', title: null, sort: labelled, header: { labelAnchor: 'start', labelLimit: 0, labelFontSize: 11 } },
      columns,
      spec: {
        width: 210,
        height: Math.max(120, 13 * maxLayers),
        mark: { type: 'area', interpolate: 'step', strokeWidth: 1, fillOpacity: 0.25, line: true },
        encoding: {
          x: {
            field: 'x',
            type: 'quantitative',
            title: '∂ℓ/∂z (signed decades)',
            scale: { domain: [-reach, reach], nice: false },
            axis: { values: ticks.sort(byNumber), labelExpr: `datum.value == 0 ? '0' : (datum.value < 0 ? '−' : '') + '1e' + (abs(datum.value) + ${offset})`, labelAngle: -45, grid: true, gridColor: '#eee' },
          },
          y: { field: 'top', type: 'quantitative', title: null, scale: { domain: [0, maxLayers + 0.8], nice: false }, axis: { values: Array.from({ length: maxLayers }, (_, i) => i), labelExpr: `datum.value == ${maxLayers - 1} ? 'out' : datum.value % ${maxLayers > 12 ? 5 : 1} == 4 || datum.value == 0 ? 'layer ' + (datum.value + 1) : ''`, grid: false } },
          y2: { field: 'base' },
          detail: { field: 'ridge', type: 'nominal' },
          order: { field: 'base', sort: 'descending' },
          color: colour,
          tooltip: [{ field: 'panel' }, { field: 'layer' }, { field: 'share', format: '.1%' }],
        },
      },
    } as unknown as TopLevelSpec,
  };
}

/** Activation histograms, one chart per bin spec (activations differ), and one gradient histogram chart. */
export function histogramCharts(runs: StoredRun[], steps?: number[]): Chart[] {
  const charts: Chart[] = [];
  const groups = new Map<string, { spec: BinSpec; runs: StoredRun[]; acts: Set<string> }>();
  for (const run of runs) {
    const first = run.points.find((point) => point.histograms && point.histograms.length > 1);
    if (!first) continue;
    const spec = first.histograms![0].act.bins;
    const key = JSON.stringify(spec);
    const group = groups.get(key) ?? { spec, runs: [], acts: new Set<string>() };
    group.runs.push(run);
    group.acts.add(run.record.config.act);
    groups.set(key, group);
  }
  for (const group of groups.values()) {
    const acts = [...group.acts].sort().join('-');
    const chart = histogramChart('act', group.runs, group.spec, `histogram-activations-${acts}`, `Activation histograms (${[...group.acts].sort().join(', ')})`, steps);
    if (chart) charts.push(chart);
  }
  const withGrad = runs.filter((run) => run.points.some((point) => point.histograms && point.histograms.length > 0));
  if (withGrad.length > 0) {
    const spec = withGrad[0].points.find((point) => point.histograms)!.histograms![0].grad.bins;
    const same = withGrad.filter((run) => JSON.stringify(run.points.find((point) => point.histograms)!.histograms![0].grad.bins) === JSON.stringify(spec));
    const chart = gradientRidgelineChart(same, spec, steps) ?? histogramChart('grad', same, spec, 'histogram-gradients', 'Gradient histograms', steps);
    if (chart) charts.push(chart);
  }
  return charts;
}

/** Most runs a per-run chart (saturation map, histograms) draws: one panel or row each. */
export const PER_RUN_LIMIT = 16;

/** Every chart the runs can fill, in reading order. */
export function reportCharts(runs: StoredRun[], histogramSteps?: number[], options: { scale?: ScaleMode; only?: string[] } = {}): Chart[] {
  const wants = (name: string) => options.only === undefined || options.only.includes(name);
  const { shown, note } = perRunSample(runs, PER_RUN_LIMIT);
  const noted = (chart: Chart | null): Chart | null => (chart && note ? { ...chart, caption: chart.caption.replace(/\.$/, ` (${note}).`) } : chart);
  return [
    wants('gradient-profile') ? gradientProfileChart(runs) : null,
    wants('depth-profile') ? depthProfileChart(runs, options) : null,
    wants('accuracy-by-depth') ? accuracyByDepthChart(runs) : null,
    wants('training-curves') ? trainingCurvesChart(runs) : null,
    wants('saturation-map') ? noted(saturationMapChart(shown)) : null,
    ...(options.only === undefined || options.only.some((name) => name.startsWith('histogram-')) ? histogramCharts(shown, histogramSteps).filter((chart) => wants(chart.name)).map(noted) : []),
  ].filter((c): c is Chart => c !== null);
}

