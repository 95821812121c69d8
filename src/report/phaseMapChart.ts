/**
 * The order-to-chaos map as a picture (vega-lite, drawn by chartRender.ts): ξ_c as a heatmap over
 * σw² × σb² (log colour scale), the ordered and chaotic regions, the critical line χ₁ = 1 drawn
 * over it. Its own module: the run charts (chartSpecs.ts) change independently.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { PhaseMap } from '../theory/phaseMap.js';
import { CHART_FONT, type Chart } from './chartSpecs.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** ξ_c beyond this is drawn as this (the colour scale's top): it diverges at the critical line. */
export const XI_CAP = 1000;

export function phaseMapChart(map: PhaseMap): Chart {
  const stepW = map.sigmaW2.length > 1 ? map.sigmaW2[1] - map.sigmaW2[0] : 1;
  const stepB = map.sigmaB2.length > 1 ? map.sigmaB2[1] - map.sigmaB2[0] : 0.01;
  const cells = map.cells.flatMap((row) =>
    row.map((cell) => ({
      // Each grid point's cell is centred on it, overlapping its neighbours by 1% so no seam shows.
      sw2: cell.sigmaW2 - stepW * 0.505,
      sw2end: cell.sigmaW2 + stepW * 0.505,
      sb2: cell.sigmaB2 - stepB * 0.505,
      sb2end: cell.sigmaB2 + stepB * 0.505,
      xiC: cell.xiC === null ? null : Math.min(XI_CAP, Math.max(cell.xiC, 0.1)),
      phase: cell.phase ?? 'q unbounded',
    })),
  );
  const line = map.sigmaB2.flatMap((sb2, i) => (map.critical[i] === null ? [] : [{ sw2: map.critical[i]!, sb2, order: i }]));
  const spec: TopLevelSpec = {
    $schema: SCHEMA,
    width: 520,
    height: 300,
    config: { font: CHART_FONT, background: 'white', axis: { labelFontSize: 11, titleFontSize: 12, grid: false }, legend: { labelFontSize: 11, titleFontSize: 12 }, title: { fontSize: 15, anchor: 'start' } },
    title: { text: `Order to chaos: ${map.act}, correlation depth ξ_c`, subtitle: ['colour: ξ_c = −1/ln χ_c (log scale); white line: the critical line χ₁ = 1,', 'ordered phase to its left, chaotic to its right; nets train up to depth ≈ 6ξ_c'] },
    layer: [
      {
        data: { values: cells },
        mark: { type: 'rect' },
        encoding: {
          x: { field: 'sw2', type: 'quantitative', title: 'σw² (weight variance × fan-in)', scale: { domain: [map.sigmaW2[0] - stepW / 2, map.sigmaW2[map.sigmaW2.length - 1] + stepW / 2], nice: false, zero: false } },
          x2: { field: 'sw2end' },
          y: { field: 'sb2', type: 'quantitative', title: 'σb² (bias variance)', scale: { domain: [map.sigmaB2[0] - stepB / 2, map.sigmaB2[map.sigmaB2.length - 1] + stepB / 2], nice: false, zero: false } },
          y2: { field: 'sb2end' },
          color: { field: 'xiC', type: 'quantitative', title: 'ξ_c (layers)', scale: { type: 'log', scheme: 'viridis', domain: [1, XI_CAP] } },
        },
      },
      {
        data: { values: line },
        mark: { type: 'line', color: 'white', strokeWidth: 2.5 },
        encoding: { x: { field: 'sw2', type: 'quantitative' }, y: { field: 'sb2', type: 'quantitative' }, order: { field: 'order' } },
      },
    ],
  };
  return {
    name: 'phase-map',
    title: `Order-to-chaos map (${map.act})`,
    caption: 'ξ_c, the depth over which two inputs stay distinguishable, over the weight and bias variances at initialization; it diverges on the critical line χ₁ = 1 between the ordered (left) and chaotic (right) phases (Schoenholz et al. 2017).',
    spec,
  };
}
