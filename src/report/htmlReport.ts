/**
 * The HTML report: one self-contained file, every chart as inline SVG and the summary table, with
 * no script, no external font, stylesheet or image, so it opens the same with no network.
 */
import { judgeRecord } from '../probes/verdicts.js';
import { formatNumber } from './layerTable.js';
import type { Chart } from './chartSpecs.js';
import { sortedRuns, type StoredRun } from './storedRuns.js';
import { compressWidths } from './runHeader.js';
import { escapeControls } from '../util/controlChars.js';

function escapeHtml(text: string): string {
  return escapeControls(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** One row per run: what it was and how it ended. */
export function summaryRows(runs: StoredRun[]): string[][] {
  return sortedRuns(runs).map((run) => {
    const r = run.record;
    const verdict = (pick: 'initial' | 'final') => judgeRecord(r, pick).verdict;
    return [
      run.label,
      compressWidths(r.config.layers),
      `${r.config.optimizer} ${r.config.lr}`,
      String(r.final.step),
      r.status,
      verdict('initial'),
      r.final.step > 0 ? verdict('final') : '–',
      formatNumber(r.final.loss),
      formatNumber(r.final.testAcc),
      run.path,
    ];
  });
}

export const SUMMARY_HEADS = ['configuration', 'hidden layers', 'optimizer', 'steps', 'status', 'verdict step 0', 'verdict end', 'train loss', 'test acc', 'folder'];

const NUMERIC = new Set(['steps', 'train loss', 'test acc']);

export function htmlReport(title: string, runs: StoredRun[], charts: { chart: Chart; svg: string }[]): string {
  const table = [
    '<table>',
    `<thead><tr>${SUMMARY_HEADS.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...summaryRows(runs).map((row) => `<tr>${row.map((cell, i) => `<td${NUMERIC.has(SUMMARY_HEADS[i]) ? ' class="num"' : ''}>${escapeHtml(cell)}</td>`).join('')}</tr>`),
    '</tbody></table>',
  ].join('\n');
  const sections = charts.map(
    ({ chart, svg }) =>
      `<section id="${escapeHtml(chart.name)}">\n<h2>${escapeHtml(chart.title)}</h2>\n<p>${escapeHtml(chart.caption)}</p>\n<figure>${svg.replace(/^<\?xml[^>]*>\s*/, '')}</figure>\n</section>`,
  );
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 2em auto; max-width: 1160px; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; font-size: 0.85em; width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; overflow-wrap: anywhere; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f3f3; }
figure { margin: 0; }
figure svg { max-width: 100%; height: auto; }
p { max-width: 60em; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${runs.length} run${runs.length === 1 ? '' : 's'}, read from their stored records (summary.json, metrics.jsonl). Made by vgrad report.</p>
${table}
${sections.join('\n')}
</body>
</html>
`;
}
