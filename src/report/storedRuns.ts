/**
 * Stored runs for a report: a run folder (summary.json, metrics.jsonl), a folder of runs
 * (results/runs) or a sweep folder (one run folder per cell). Run folders are found recursively;
 * the report reads nothing else, never a live run.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UsageError } from '../util/errors.js';
import type { RunRecord, StoredPoint } from '../store/record.js';
import { readProbePoints, readRunRecord } from '../store/metrics.js';
import { PARTIAL_PREFIX } from '../store/runStore.js';

export interface StoredRun {
  /** The run folder, relative to the folder the report was asked for ("." for a run folder itself). */
  path: string;
  record: RunRecord;
  points: StoredPoint[];
  /** A short name for the configuration, unique within the report. */
  label: string;
}

/**
 * The run's probe points, read by the store's one reader of metrics.jsonl (markers decoded, a line
 * that is not a point refused in one line): a stored run's metrics are complete before its
 * summary.json is written, so a bad line is damage to report, not a torn write to skip.
 */
function readPoints(dir: string): StoredPoint[] {
  return existsSync(join(dir, 'metrics.jsonl')) ? readProbePoints(dir) : [];
}

/** Folders holding a summary.json under `root` (itself included), sorted; partial and hidden ones skipped. */
function runFolders(root: string): string[] {
  const found: string[] = [];
  const visit = (dir: string, depth: number) => {
    if (existsSync(join(dir, 'summary.json'))) {
      found.push(dir);
      return;
    }
    if (depth > 6) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && !entry.name.startsWith(PARTIAL_PREFIX)) visit(join(dir, entry.name), depth + 1);
    }
  };
  visit(root, 0);
  return found.sort();
}

function configLabel(record: RunRecord): string {
  return `${record.config.act} · ${record.config.init} · depth ${record.config.depth}`;
}

/** Every stored run under `dir`; one line naming the problem when there is none or one is unreadable. */
export function loadStoredRuns(dir: string): StoredRun[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`${dir}: not a folder; give a run folder, a folder of runs (e.g. results/runs) or a sweep folder`);
  }
  const folders = runFolders(dir);
  if (folders.length === 0) {
    throw new UsageError(`${dir}: no run folders (folders with a summary.json) in it; give a run folder, a folder of runs or a sweep folder`);
  }
  const runs = folders.map((folder) => {
    const record = readRunRecord(join(folder, 'summary.json'));
    return { path: relative(dir, folder) || '.', record, points: readPoints(folder), label: configLabel(record) };
  });
  // Labels unique: the seed, then the run id, where configurations repeat.
  const count = (label: string, list: StoredRun[]) => list.filter((run) => run.label === label).length;
  for (const run of runs) if (count(run.label, runs) > 1) run.label = `${run.label} · seed ${run.record.config.seed}`;
  for (const run of runs) if (count(run.label, runs) > 1) run.label = `${run.label} · ${run.record.runId}`;
  return runs;
}
