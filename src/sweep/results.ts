/** Summary rows of a sweep folder, written next to its cells (summary.jsonl, summary.csv). */
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomicFile.js';
import { cellDone, finishedCellIds, readCell, readFailure, readManifest, type SweepManifest } from './sweepFolder.js';
import type { CellConfig } from './cellId.js';
import { failedRow, rowFromRecord, toCsv, toJsonLines, type SummaryRow } from './summary.js';

/** Rows in plan order for the cells that have a record or a failure; then finished cells outside the plan (merged in). */
export function collectRows(dir: string, manifest: SweepManifest, configs: Map<string, CellConfig>, includeUnplanned = false): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const planned = new Set<string>();
  for (const { id } of manifest.cells) {
    planned.add(id);
    if (cellDone(dir, id)) {
      const { cell, record } = readCell(dir, id);
      rows.push(rowFromRecord(id, cell.config, record));
    } else {
      const failure = readFailure(dir, id);
      const config = configs.get(id);
      if (failure && config) rows.push(failedRow(id, config, failure.error));
    }
  }
  if (includeUnplanned) {
    for (const id of finishedCellIds(dir)) {
      if (planned.has(id)) continue;
      const { cell, record } = readCell(dir, id);
      rows.push(rowFromRecord(id, cell.config, record));
    }
  }
  return rows;
}

export function writeSummaries(dir: string, rows: SummaryRow[]): void {
  writeFileAtomic(join(dir, 'summary.jsonl'), toJsonLines(rows));
  writeFileAtomic(join(dir, 'summary.csv'), toCsv(rows));
}

/** Rows of a stored sweep folder (for compare, ls, merge, --check): every finished cell, plan order first. */
export function rowsOfSweepDir(dir: string): SummaryRow[] {
  const manifest = readManifest(dir);
  return collectRows(dir, manifest, new Map(), true);
}
