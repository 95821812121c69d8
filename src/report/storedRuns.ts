/**
 * Stored runs for a report: a run folder (summary.json, metrics.jsonl), a folder of runs
 * (results/runs) or a sweep folder (one run folder per cell). Run folders are found recursively;
 * the report reads nothing else, never a live run.
 */
import { existsSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { UsageError } from '../util/errors.js';
import { runFoldersUnder, summaryPathOf } from '../store/layout.js';
import type { RunRecord, StoredPoint } from '../store/record.js';
import { readStoredRun } from '../store/read.js';

export interface StoredRun {
  /** The run folder, relative to the folder the report was asked for ("." for a run folder itself). */
  path: string;
  record: RunRecord;
  points: StoredPoint[];
  /** A short name for the configuration, unique within the report. */
  label: string;
}

function configLabel(record: RunRecord): string {
  return `${record.config.act} · ${record.config.init} · depth ${record.config.depth}`;
}

/** Every stored run under `dir`; one line naming the problem when there is none or one is unreadable. */
export function loadStoredRuns(dir: string): StoredRun[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`${dir}: not a folder; give a run folder, a folder of runs (e.g. results/runs) or a sweep folder`);
  }
  // A stored run's metrics are complete before its summary.json is written, so a bad line is
  // damage to report (the reader refuses it in one line), not a torn write to skip.
  const folders = runFoldersUnder(dir);
  if (folders.length === 0) {
    throw new UsageError(`${dir}: no run folders (folders with a summary.json) in it; give a run folder, a folder of runs or a sweep folder`);
  }
  const runs = folders.map((folder) => {
    const { record, points } = readStoredRun(summaryPathOf(folder));
    return { path: relative(dir, folder) || '.', record, points, label: configLabel(record) };
  });
  // Labels unique: the seed, then the run id, where configurations repeat.
  const count = (label: string, list: StoredRun[]) => list.filter((run) => run.label === label).length;
  for (const run of runs) if (count(run.label, runs) > 1) run.label = `${run.label} · seed ${run.record.config.seed}`;
  for (const run of runs) if (count(run.label, runs) > 1) run.label = `${run.label} · ${run.record.runId}`;
  return runs;
}
