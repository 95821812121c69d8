/**
 * The side-by-side view: one statistic per layer (rows), one column per cell or run, every
 * column on the SAME fixed log scale (fixed per statistic, not per data), so "He stays flat,
 * Xavier falls to 1e-6" reads at a glance. Columns wrap into blocks so the view fits the width.
 */
import type { ChalkInstance } from 'chalk';
import type { LayerStats } from '../probes/layerStats.js';
import type { RunRecord } from '../store/record.js';
import { logBar, type LogScale } from './logBar.js';

export const COMPARE_STATS = ['gradVar', 'actVar', 'preactVar', 'weightGradNorm', 'saturated', 'dead', 'updateRatio'] as const;
export type CompareStat = (typeof COMPARE_STATS)[number];

/** Fixed decades per statistic, wide enough for the broken configurations the chapter shows. */
const SCALES: Record<CompareStat, LogScale | 'fraction'> = {
  gradVar: { low: -16, high: 4 },
  actVar: { low: -12, high: 4 },
  preactVar: { low: -12, high: 12 },
  weightGradNorm: { low: -12, high: 4 },
  saturated: 'fraction',
  dead: 'fraction',
  updateRatio: { low: -8, high: 0 },
};

export interface CompareColumn {
  /** Short label for the header (what differs between the columns). */
  label: string;
  /** Full name for the legend (cell id or run folder). */
  name: string;
  record: RunRecord;
}

const BAR = 6;
const VALUE = 6;
const COLUMN = BAR + 1 + VALUE;
const GAP = 2;
const ROW_LABEL = 5;

function compactNumber(value: number | null, fraction: boolean): string {
  // null: not defined (the output layer's saturated, updateRatio at step 0). NaN is data (a
  // diverged run), said as the run table says it, never as the blank of an undefined value.
  if (value === null) return '–';
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (fraction) return `${Math.round(value * 100)}%`;
  if (value === 0) return '0';
  const [mantissa, exponent] = value.toExponential(0).split('e');
  return `${mantissa}e${Number(exponent)}`;
}

function fractionBar(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return ''.padEnd(BAR);
  const eighths = Math.round(Math.min(1, Math.max(0, value)) * BAR * 8);
  const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
  return ('█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]).padEnd(BAR);
}

function rowLabels(columns: CompareColumn[]): { label: string; pick: (record: RunRecord) => RunRecord['layers'][number] | undefined }[] {
  const maxHidden = Math.max(...columns.map((c) => c.record.layers.filter((l) => l.kind === 'hidden').length));
  const rows: { label: string; pick: (record: RunRecord) => RunRecord['layers'][number] | undefined }[] = [];
  for (let l = 1; l <= maxHidden; l++) rows.push({ label: String(l), pick: (r) => r.layers.find((layer) => layer.kind === 'hidden' && layer.index === l) });
  rows.push({ label: 'out', pick: (r) => r.layers.find((layer) => layer.kind === 'output') });
  return rows;
}

/** Each part of a word cut to its first `keep` letters, trailing digits kept: normal1 → nor1, xavier-uniform → xav-uni, d20 stays. */
function shortWord(word: string, keep: number): string {
  return word
    .split(/([-,:=])/)
    .map((part) => {
      const [, stem, digits] = part.match(/^(.*?)(\d*)$/)!;
      return stem.length <= keep ? part : `${stem.slice(0, keep)}${digits}`;
    })
    .join('');
}

/**
 * Column labels that fit `width` characters without two different labels reading the same: as
 * they are, else each word cut (keeping its digits: normal1 → nor1, never "normal"), else none (the
 * letters and the legend under the table name the columns).
 */
export function fitLabels(labels: string[], width: number): string[] {
  const distinct = (shown: string[]) => labels.every((label, i) => labels.every((other, j) => other === label || shown[i] !== shown[j]));
  if (labels.every((label) => label.length <= width)) return labels;
  for (let keep = 4; keep >= 1; keep--) {
    const shown = labels.map((label) => label.split(' ').map((word) => shortWord(word, keep)).join(' '));
    if (shown.every((label) => label.length <= width) && distinct(shown)) return shown;
  }
  return labels.map(() => '');
}

export function scaleText(stat: CompareStat): string {
  const scale = SCALES[stat];
  return scale === 'fraction' ? '0…100%' : `1e${scale.low}…1e${scale.high}`;
}

export function renderCompare(columns: CompareColumn[], stat: CompareStat, at: 'initial' | 'final', width: number, color: ChalkInstance): string {
  const scale = SCALES[stat];
  const fraction = scale === 'fraction';
  const perBlock = Math.max(1, Math.floor((width - ROW_LABEL + GAP) / (COLUMN + GAP)));
  const rows = rowLabels(columns);
  const letter = (i: number) => (i < 26 ? String.fromCharCode(65 + i) : `${String.fromCharCode(65 + Math.floor(i / 26) - 1)}${String.fromCharCode(65 + (i % 26))}`);
  const lines: string[] = [];
  const shown = fitLabels(columns.map((c) => c.label), COLUMN - (columns.length > 26 ? 3 : 2));
  const title = `${stat} per layer at ${at === 'initial' ? 'step 0' : 'the end'} · one fixed scale for all columns: ${scaleText(stat)}`;
  lines.push(color.bold(title.length <= width ? title : `${title.slice(0, width - 1)}…`));
  for (let start = 0; start < columns.length; start += perBlock) {
    const block = columns.slice(start, start + perBlock);
    lines.push('');
    lines.push(
      'layer'.padEnd(ROW_LABEL) +
        block.map((_, i) => `${GAP > 0 ? ' '.repeat(GAP) : ''}${`${letter(start + i)} ${shown[start + i]}`.trimEnd().padEnd(COLUMN)}`).join(''),
    );
    for (const row of rows) {
      const cells = block.map((c) => {
        const layer = row.pick(c.record);
        if (!layer) return ' '.repeat(GAP + COLUMN);
        const stats: LayerStats = layer[at];
        const value = stats[stat] as number | null;
        const bar = fraction ? fractionBar(value) : logBar(value, scale, BAR);
        return `${' '.repeat(GAP)}${color.blue(bar)} ${compactNumber(value, fraction).padStart(VALUE)}`;
      });
      lines.push(row.label.padEnd(ROW_LABEL) + cells.join(''));
    }
  }
  lines.push('');
  columns.forEach((c, i) => lines.push(`${letter(i)}  ${shown[i] === c.label ? '' : `${c.label} · `}${c.name}`.slice(0, width)));
  return `${lines.join('\n')}\n`;
}
