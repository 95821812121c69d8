/** Summary rows of a sweep folder, written next to its cells (summary.jsonl, summary.csv). */
import { join } from 'node:path';
import { writeFileIfChanged } from '../util/atomicFile.js';
import { guardWrite } from '../store/diskErrors.js';
import { finishedCellIds, isRunFolder, SUMMARY_CSV_FILE, SUMMARY_JSONL_FILE } from '../store/layout.js';
import type { CellConfig, SweepManifest } from '../store/record.js';
import { readCell } from '../store/read.js';
import { readFailure } from './sweepFolder.js';
import { failedRow, rowFromRecord, toCsv, toJsonLines, type SummaryRow } from './summary.js';

/** Rows in plan order for the cells that have a record or a failure; then finished cells outside the plan (merged in). */
export function collectRows(dir: string, manifest: SweepManifest, configs: Map<string, CellConfig>, includeUnplanned = false): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const planned = new Set<string>();
  const finishedRow = (id: string) => {
    const { cell, record } = readCell(dir, id);
    return rowFromRecord(id, cell.config, record);
  };
  for (const { id } of manifest.cells) {
    planned.add(id);
    if (isRunFolder(join(dir, id))) {
      rows.push(finishedRow(id));
    } else {
      const failure = readFailure(dir, id);
      const config = configs.get(id);
      if (failure && config) rows.push(failedRow(id, config, failure.error));
    }
  }
  if (includeUnplanned) {
    for (const id of finishedCellIds(dir)) if (!planned.has(id)) rows.push(finishedRow(id));
  }
  return rows;
}

export function writeSummaries(dir: string, rows: SummaryRow[]): void {
  guardWrite(dir, () => {
    writeFileIfChanged(join(dir, SUMMARY_JSONL_FILE), toJsonLines(rows));
    writeFileIfChanged(join(dir, SUMMARY_CSV_FILE), toCsv(rows));
  });
}
