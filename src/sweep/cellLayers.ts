/**
 * A sweep cell's hidden layers as series over its probe points (metrics.jsonl), for the
 * expectations that bound one layer's statistics during training (`layer: top`).
 */
import { join } from 'node:path';
import { readProbePoints } from '../store/read.js';
import type { CellLayers, LayerSeries } from './expectations.js';

const finiteOrNull = (value: number | null | undefined) => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** Reads cells of the sweep folder `dir`; a cell whose metrics cannot be read gives null. */
export function cellLayersIn(dir: string): CellLayers {
  return (cell) => {
    let points;
    try {
      points = readProbePoints(join(dir, cell));
    } catch {
      return null;
    }
    if (points.length === 0) return null;
    const hidden = points[0].layers.length - 1;
    const series: LayerSeries[] = [];
    for (let l = 0; l < hidden; l++) {
      series.push({
        saturated: points.map((point) => finiteOrNull(point.layers[l]?.saturated)),
        actMean: points.map((point) => finiteOrNull(point.layers[l]?.actMean)),
      });
    }
    return series;
  };
}
