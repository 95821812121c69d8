/**
 * Schoenholz et al. 2017's trainability figure from stored runs: final train and test accuracy as
 * heatmaps over σw² × depth, with the theory's 6ξ_c and ξ_c drawn over them and the critical σw²
 * (χ₁ = 1) marked. Drawn when the runs share one activation and σb² and span at least two σw² and
 * two depths (e.g. experiments/schoenholz-2017.yaml). Its own module: the run charts
 * (chartSpecs.ts) change independently. Reads stored records only; the theory is pure math.
 */
import type { TopLevelSpec } from 'vega-lite';
import { phaseForConfig } from '../theory/forConfig.js';
import { criticalSigmaW2, phaseNumbers } from '../theory/phase.js';
import { evenlySpaced } from '../theory/phaseMap.js';
import type { ActivationName } from '../model/activations.js';
import { CHART_FONT, type Chart } from './chartSpecs.js';
import type { StoredRun } from './storedRuns.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

export interface TrainableCell {
  sigmaW2: number;
  depth: number;
  trainAcc: number;
  testAcc: number;
  seeds: number;
}

export interface TrainableDepth {
  act: ActivationName;
  sigmaB2: number;
  cells: TrainableCell[];
  /** ξ_c at each σw² of the runs. */
  xiC: { sigmaW2: number; xiC: number | null }[];
  critical: number | null;
}

/** σw² rounded to 6 significant digits, so 1.75 read from fanIn·std² groups with itself. */
const key = (x: number) => Number(x.toPrecision(6));

/** The runs as a σw² × depth grid with its theory, or null when they do not form one. */
export function trainableDepth(runs: StoredRun[]): TrainableDepth | null {
  if (runs.length < 4) return null;
  const first = runs[0].record;
  const act = first.config.act as ActivationName;
  const biasStd = (c: StoredRun['record']['config']) => (typeof c.biasStd === 'number' ? c.biasStd : 0);
  if (runs.some((run) => run.record.config.act !== act || biasStd(run.record.config) !== biasStd(first.config))) return null;
  const groups = new Map<string, { sigmaW2: number; depth: number; train: number[]; test: number[] }>();
  const xi = new Map<number, number | null>();
  for (const run of runs) {
    const r = run.record;
    const classes = r.layers[r.layers.length - 1].fanOut;
    let phase;
    try {
      phase = phaseForConfig(r.config as never, { features: r.data.features, classes });
    } catch {
      return null;
    }
    const sw2 = key(phase.sigmaW2);
    xi.set(sw2, phase.xiC);
    const id = `${sw2}|${r.config.depth}`;
    const group = groups.get(id) ?? { sigmaW2: sw2, depth: r.config.depth, train: [], test: [] };
    group.train.push(r.final.trainAcc);
    group.test.push(r.final.testAcc);
    groups.set(id, group);
  }
  const sigmaW2s = [...xi.keys()].sort((a, b) => a - b);
  const depths = new Set([...groups.values()].map((g) => g.depth));
  if (sigmaW2s.length < 2 || depths.size < 2) return null;
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const sigmaB2 = biasStd(first.config) ** 2;
  return {
    act,
    sigmaB2,
    cells: [...groups.values()].map((g) => ({ sigmaW2: g.sigmaW2, depth: g.depth, trainAcc: mean(g.train), testAcc: mean(g.test), seeds: g.train.length })),
    xiC: sigmaW2s.map((sigmaW2) => ({ sigmaW2, xiC: xi.get(sigmaW2) ?? null })),
    critical: criticalSigmaW2(act, first.config.alpha, sigmaB2, sigmaW2s[0], sigmaW2s[sigmaW2s.length - 1], 1e-6),
  };
}

/** Cell edges halfway between neighbouring values (and as far beyond the ends). */
function edges(values: number[]): Map<number, [number, number]> {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const out = new Map<number, [number, number]>();
  sorted.forEach((v, i) => {
    const lo = i > 0 ? (sorted[i - 1] + v) / 2 : v - (sorted[1] - v) / 2;
    const hi = i + 1 < sorted.length ? (v + sorted[i + 1]) / 2 : v + (v - sorted[i - 1]) / 2;
    out.set(v, [lo, hi]);
  });
  return out;
}

export function trainableDepthChart(runs: StoredRun[]): Chart | null {
  const grid = trainableDepth(runs);
  if (grid === null) return null;
  const xEdges = edges(grid.cells.map((c) => c.sigmaW2));
  const yEdges = edges(grid.cells.map((c) => c.depth));
  const xs = [...xEdges.values()];
  const ys = [...yEdges.values()];
  const xDomain: [number, number] = [Math.min(...xs.map((e) => e[0])), Math.max(...xs.map((e) => e[1]))];
  const yTop = Math.max(...ys.map((e) => e[1]));
  const yDomain: [number, number] = [Math.max(0, Math.min(...ys.map((e) => e[0]))), yTop];
  // The theory's curves on a fine σw² grid, cut at the top of the chart.
  const alpha = runs[0].record.config.alpha;
  const curve = evenlySpaced(xDomain, 61).flatMap((sigmaW2) => {
    const xiC = phaseNumbers(grid.act, alpha, sigmaW2, grid.sigmaB2).xiC;
    if (xiC === null) return [];
    return [
      { sigmaW2, depth: Math.min(6 * xiC, yTop), curve: '6 ξ_c' },
      { sigmaW2, depth: Math.min(xiC, yTop), curve: 'ξ_c' },
    ];
  });
  const panel = (split: 'train' | 'test'): Record<string, unknown> => ({
    width: 360,
    height: 300,
    title: `final ${split} accuracy`,
    layer: [
      {
        data: {
          values: grid.cells.map((c) => ({
            x: xEdges.get(c.sigmaW2)![0],
            x2: xEdges.get(c.sigmaW2)![1],
            y: yEdges.get(c.depth)![0],
            y2: yEdges.get(c.depth)![1],
            acc: split === 'train' ? c.trainAcc : c.testAcc,
          })),
        },
        mark: { type: 'rect' },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: 'σw²', scale: { domain: xDomain, nice: false, zero: false } },
          x2: { field: 'x2' },
          y: { field: 'y', type: 'quantitative', title: 'depth (hidden layers)', scale: { domain: yDomain, nice: false } },
          y2: { field: 'y2' },
          color: { field: 'acc', type: 'quantitative', title: 'accuracy', scale: { domain: [0, 1], scheme: 'inferno' } },
        },
      },
      {
        data: { values: curve },
        mark: { type: 'line', strokeWidth: 2.5, clip: true },
        encoding: {
          x: { field: 'sigmaW2', type: 'quantitative' },
          y: { field: 'depth', type: 'quantitative' },
          strokeDash: { field: 'curve', type: 'nominal', title: 'theory', scale: { domain: ['6 ξ_c', 'ξ_c'], range: [[1, 0], [6, 3]] } },
          color: { value: '#39d' },
        },
      },
      ...(grid.critical === null
        ? []
        : [
            {
              data: { values: [{ sigmaW2: grid.critical }] },
              mark: { type: 'rule' as const, color: 'white', strokeDash: [2, 2], strokeWidth: 1.5 },
              encoding: { x: { field: 'sigmaW2', type: 'quantitative' as const } },
            },
          ]),
    ],
  });
  const spec = {
    $schema: SCHEMA,
    config: { font: CHART_FONT, background: 'white', axis: { labelFontSize: 11, titleFontSize: 12, grid: false }, legend: { labelFontSize: 11, titleFontSize: 12 }, title: { fontSize: 13, anchor: 'start' } },
    title: {
      text: `Trainable depth: ${grid.act}, σb² = ${Number(grid.sigmaB2.toPrecision(3))}`,
      subtitle: [
        'final accuracy (mean over seeds) over σw² × depth; blue solid: 6ξ_c, dashed: ξ_c (Schoenholz et al. 2017: nets train where depth ≲ 6ξ_c);',
        grid.critical === null ? 'the critical σw² (χ₁ = 1) is outside the runs\' range' : `dotted white: the critical σw² = ${grid.critical.toFixed(2)} (χ₁ = 1), ordered phase to its left, chaotic to its right`,
      ],
      fontSize: 15,
    },
    hconcat: [panel('train'), panel('test')],
  } as unknown as TopLevelSpec;
  return {
    name: 'trainable-depth',
    title: 'Trainable depth against the correlation depth ξ_c',
    caption:
      'Final train and test accuracy of each σw² × depth cell (mean over its seeds), with the mean-field correlation depth ξ_c and 6ξ_c drawn over it and the critical σw² (χ₁ = 1) marked: Schoenholz et al. 2017 find that nets train where depth ≲ 6ξ_c.',
    spec,
  };
}
