/**
 * What every chart shares so one encoding means one thing in every chart and every report: the
 * colour of each initializer (fixed by its place in the initializer table, not by the runs a report
 * happens to hold), log-axis domains and decade ticks, and the edge marks that draw a value the axis
 * cannot show (exact zero, below or above the range, ±Inf, NaN) instead of leaving it out.
 */
import { INITIALIZERS, initEntry } from '../model/initializers.js';

/**
 * Distinct colours, dark enough for thin lines on white; an initializer's colour is picked by its
 * index in the initializer table (the comments name today's entries: the table decides). The
 * chapter's three (N(0,1), Xavier, He) get purple, blue and orange, told apart with colour blindness.
 */
const PALETTE = [
  '#7b3294', // 0 normal1: purple
  '#8c564b', // 1 standard: brown
  '#e377c2', // 2 normal:STD: pink
  '#7f7f7f', // 3 uniform:R: grey
  '#1f77b4', // 4 xavier: blue
  '#6baed6', // 5 xavier-uniform: light blue
  '#17becf', // 6 xavier-logistic: cyan
  '#393b79', // 7 xavier-logistic-uniform: indigo
  '#ff7f0e', // 8 he: orange
  '#a05a0a', // 9 he-uniform: dark orange
  '#2ca02c', // 10 lecun: green
  '#74c476', // 11 lecun-uniform: light green
  '#d62728', // 12 orthogonal: red
  '#bcbd22', // 13 book: olive
  '#8c6d31', // 14 book-uniform: ochre
  '#843c39', // 15 vs:…: maroon
  '#7b4173', // plum
  '#636363', // dark grey
  '#e6550d', // dark orange
  '#31a354', // mid green
];

/** An initializer's place in the table (vgrad inits' order): the same for a name and its aliases. */
function tableIndex(init: string): number {
  const lowered = init.trim().toLowerCase();
  const entry = initEntry(lowered) ?? INITIALIZERS.find((candidate) => candidate.form === 'parametric' && lowered.startsWith(candidate.prefix));
  return entry ? INITIALIZERS.indexOf(entry) : -1;
}

/** A small stable hash of a text (FNV-1a), for parametric initializers' parameters. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The colour of an initializer as a stored config names it: the same in every chart and every report. */
export function initColour(init: string): string {
  const index = tableIndex(init);
  const entry = index >= 0 ? INITIALIZERS[index] : undefined;
  // A parametric form (normal:STD, vs:…) moves with its parameters, so normal:0.01 and normal:1 differ.
  const pick = entry === undefined ? hash(init) : entry.form === 'parametric' ? index + 7 * (hash(init) % 3) : index;
  return PALETTE[pick % PALETTE.length];
}

/** The initializers in table order (unknown names last, alphabetical). */
export function sortInits(inits: Iterable<string>): string[] {
  return [...new Set(inits)].sort((a, b) => {
    const [ia, ib] = [tableIndex(a), tableIndex(b)].map((i) => (i < 0 ? Infinity : i));
    return ia !== ib ? ia - ib : a.localeCompare(b);
  });
}

/** vega-lite's colour encoding for the initializer: a fixed domain → range, one legend "initializer". */
export function initColourEncoding(inits: Iterable<string>, field = 'init'): Record<string, unknown> {
  const domain = sortInits(inits);
  return { field, type: 'nominal', title: 'initializer', scale: { domain, range: domain.map(initColour) }, legend: { orient: 'top', direction: 'horizontal' } };
}

/** Where a value sits against an axis: on it, or which edge mark draws it. */
export type Edge = 'on' | 'zero' | 'below' | 'above' | '+Inf' | '-Inf' | 'NaN';

/** The edge marks in legend order, with their symbol and the edge they sit on. */
export const EDGE_MARKS: { edge: Exclude<Edge, 'on'>; label: string; shape: string; at: 'low' | 'high' }[] = [
  { edge: 'zero', label: 'exactly 0', shape: 'square', at: 'low' },
  { edge: 'below', label: 'below the axis', shape: 'triangle-down', at: 'low' },
  { edge: '-Inf', label: '−Inf', shape: 'cross', at: 'low' },
  { edge: 'above', label: 'above the axis', shape: 'triangle-up', at: 'high' },
  { edge: '+Inf', label: '+Inf', shape: 'cross', at: 'high' },
  { edge: 'NaN', label: 'NaN', shape: 'diamond', at: 'high' },
];

/** The shape encoding of edge marks (only the kinds present, so the legend lists what is drawn). */
export function edgeShapeEncoding(present: Iterable<string>): Record<string, unknown> {
  const kinds = new Set(present);
  const marks = EDGE_MARKS.filter((mark) => kinds.has(mark.label));
  return { field: 'edge', type: 'nominal', title: 'off the axis', scale: { domain: marks.map((m) => m.label), range: marks.map((m) => m.shape) }, legend: { orient: 'top', direction: 'horizontal' } };
}

export function edgeLabel(edge: Exclude<Edge, 'on'>): string {
  return EDGE_MARKS.find((mark) => mark.edge === edge)!.label;
}

/** A value against a log axis [low, high] (high may be Infinity for "no upper limit"). */
export function logEdge(value: number | null | undefined, domain: [number, number]): Edge {
  if (value === null || value === undefined || Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value <= 0) return value === 0 ? 'zero' : 'below';
  if (value < domain[0]) return 'below';
  if (value > domain[1]) return 'above';
  return 'on';
}

/** A value against a linear axis [low, high]. */
export function linearEdge(value: number | null | undefined, domain: [number, number]): Edge {
  if (value === null || value === undefined || Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value < domain[0]) return 'below';
  if (value > domain[1]) return 'above';
  return 'on';
}

/** The y where an edge mark sits: the bottom or the top of the domain. */
export function edgeY(edge: Exclude<Edge, 'on'>, domain: [number, number]): number {
  return EDGE_MARKS.find((mark) => mark.edge === edge)!.at === 'low' ? domain[0] : domain[1];
}

/** The text of a value for a tooltip: the value itself, 0, +Inf, −Inf or NaN. */
export function valueText(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '−Inf';
  if (value === 0) return '0';
  return Math.abs(value) >= 1e-3 && Math.abs(value) < 1e4 ? String(Number(value.toPrecision(4))) : value.toExponential(3);
}

/**
 * A log domain in whole decades holding `values` (finite, positive), at most `maxDecades` wide: while
 * wider, the value farthest (in decades) from the median is left to an edge mark, so one outlier
 * (a net at 1e70, a gradient at 1e-33) cannot squash everything else. Null when there is no value.
 */
export function logDomain(values: number[], maxDecades = Infinity): [number, number] | null {
  const logs = values.filter((v) => Number.isFinite(v) && v > 0).map(Math.log10).sort((a, b) => a - b);
  if (logs.length === 0) return null;
  const median = logs[Math.floor(logs.length / 2)];
  let lo = 0;
  let hi = logs.length - 1;
  const span = () => Math.ceil(logs[hi] + 1e-9) - Math.floor(logs[lo] - 1e-9);
  while (span() > maxDecades && hi > lo) {
    if (median - logs[lo] >= logs[hi] - median) lo++;
    else hi--;
  }
  let low = Math.floor(logs[lo] - 1e-9);
  let high = Math.ceil(logs[hi] + 1e-9);
  if (high - low < 2) {
    low -= 1;
    high += 1;
  }
  return [10 ** low, 10 ** high];
}

/** Tick values at powers of ten only, every k-th decade so at most `maxTicks` gridlines. */
export function decadeTicks(domain: [number, number], maxTicks = 8): number[] {
  const low = Math.round(Math.log10(domain[0]));
  const high = Math.round(Math.log10(domain[1]));
  const step = Math.max(1, Math.ceil((high - low) / (maxTicks - 1)));
  const ticks: number[] = [];
  for (let e = Math.ceil(low / step) * step; e <= high; e += step) ticks.push(Number(`1e${e}`));
  return ticks;
}

/** A log axis labelled 1e-6, 1e0, … at the given decade ticks, gridlines only there. */
export function decadeAxis(domain: [number, number], maxTicks = 8, title: string | null = null): Record<string, unknown> {
  return { values: decadeTicks(domain, maxTicks), format: '.0e', title, grid: true, gridColor: '#e4e4e4' };
}
