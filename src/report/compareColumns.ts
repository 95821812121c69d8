/**
 * The columns of the compare view, read from stored records: a sweep folder stands for its finished
 * cells (plan order first), anything else for the runs it names (store/layout.ts locateRuns).
 */
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../util/errors.js';
import { DEFAULTS } from '../config/runConfig.js';
import { finishedCellIds, isSweepFolder, locateRuns, SUMMARY_FILE, summaryPathOf } from '../store/layout.js';
import type { RunRecord } from '../store/record.js';
import { readRunRecord, readSweepManifest } from '../store/read.js';
import type { CompareColumn } from './compareTable.js';
import { escapeControls } from '../util/controlChars.js';

/** Short labels: the config values that differ between the columns (d = depth, s = seed). */
export function labelColumns(records: RunRecord[]): string[] {
  const keys = ['act', 'init', 'depth', 'layers', 'seed', 'lr', 'optimizer', 'steps', 'data', 'standardize', 'batch', 'alpha', 'gain', 'biasStd', 'momentum'];
  const text = (record: RunRecord, key: string) => {
    // Records from before --bias-std started their biases at 0.
    const value = (record.config as unknown as Record<string, unknown>)[key] ?? (key === 'biasStd' ? 0 : undefined);
    return Array.isArray(value) ? value.join(',') : String(value);
  };
  const differs = (key: string) => new Set(records.map((r) => text(r, key))).size > 1;
  // Widths that differ only because the depth does are said by the depth.
  const varying = keys.filter((key) => differs(key) && !(key === 'layers' && differs('depth')));
  return records.map((record) =>
    varying
      .map((key) => (key === 'depth' ? `d${record.config.depth}` : key === 'seed' ? `s${record.config.seed}` : key === 'standardize' ? (record.config.standardize ? 'std' : 'raw') : key === 'biasStd' ? `bias std ${text(record, key)}` : text(record, key)))
      .join(' '),
  );
}

function columnsFrom(records: { name: string; record: RunRecord }[]): CompareColumn[] {
  const labels = labelColumns(records.map((r) => r.record));
  // Names come from folder names: shown with their control characters escaped.
  return records.map((r, i) => ({ label: labels[i], name: escapeControls(r.name), record: r.record }));
}

/** The columns of a sweep's cells `ids` (default: every finished cell), named by cell id. */
export function compareColumnsFromSweep(dir: string, ids?: string[]): CompareColumn[] {
  return columnsFrom((ids ?? finishedCellIds(dir)).map((id) => ({ name: id, record: readRunRecord(summaryPathOf(join(dir, id))) })));
}

function recordsFor(target: string): { name: string; record: RunRecord }[] {
  if (isSweepFolder(target)) {
    const manifest = readSweepManifest(target);
    const finished = new Set(finishedCellIds(target));
    const ordered = [...manifest.cells.map((c) => c.id).filter((id) => finished.has(id)), ...[...finished].filter((id) => !manifest.cells.some((c) => c.id === id))];
    if (ordered.length === 0) throw new UsageError(`${target}: the sweep has no finished cells yet`);
    return ordered.map((id) => ({ name: `${manifest.name}/${id}`, record: readRunRecord(summaryPathOf(join(target, id))) }));
  }
  return locateRuns([target], DEFAULTS.out).map((path) => ({
    name: basename(path) === SUMMARY_FILE ? basename(dirname(path)) : basename(path),
    record: readRunRecord(path),
  }));
}

/** One column per run or cell the arguments name, labelled by what differs between them. */
export function compareColumnsFor(targets: string[]): CompareColumn[] {
  return columnsFrom(targets.flatMap(recordsFor));
}
