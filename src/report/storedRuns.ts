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
import { sortInits } from './chartScales.js';
import { escapeControls } from '../util/controlChars.js';

export interface StoredRun {
  /** The run folder, relative to the folder the report was asked for ("." for a run folder itself). */
  path: string;
  record: RunRecord;
  points: StoredPoint[];
  /** A short name for the configuration, unique within the report. */
  label: string;
}

/** A configuration's name (activation, initializer, depth): the label before seed or run id is added. */
export function configLabel(record: RunRecord): string {
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
    return { path: escapeControls(relative(dir, folder)) || '.', record, points, label: configLabel(record) };
  });
  // Labels unique: the seed, then the run id, where configurations repeat.
  const count = (label: string, list: StoredRun[]) => list.filter((run) => run.label === label).length;
  for (const run of runs) if (count(run.label, runs) > 1) run.label = `${run.label} · seed ${run.record.config.seed}`;
  for (const run of runs) if (count(run.label, runs) > 1) run.label = `${run.label} · ${run.record.runId}`;
  return runs;
}

/** Runs in reading order: activation, initializer (table order), then depth, seed and steps as numbers. */
export function sortedRuns(runs: StoredRun[]): StoredRun[] {
  const inits = sortInits(runs.map((run) => run.record.config.init));
  const c = (run: StoredRun) => run.record.config;
  return [...runs].sort(
    (a, b) =>
      c(a).act.localeCompare(c(b).act) ||
      inits.indexOf(c(a).init) - inits.indexOf(c(b).init) ||
      c(a).depth - c(b).depth ||
      c(a).seed - c(b).seed ||
      a.record.final.step - b.record.final.step ||
      a.path.localeCompare(b.path),
  );
}

/**
 * The runs a per-run chart (saturation map, histograms) draws: the first run (in reading order) of
 * each configuration, at most `limit` of them, so a 1,000-cell sweep's chart stays readable and its
 * cost bounded; `note` says what was left out (null when nothing was).
 */
export function perRunSample(runs: StoredRun[], limit: number): { shown: StoredRun[]; note: string | null } {
  const seen = new Set<string>();
  const firsts = sortedRuns(runs).filter((run) => {
    const key = configLabel(run.record);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const shown = firsts.slice(0, limit);
  if (shown.length === runs.length) return { shown: runs, note: null };
  const why = firsts.length > limit ? `the first run of each of the first ${limit} of ${firsts.length} configurations` : 'the first run of each configuration';
  return { shown, note: `${shown.length} of ${runs.length} runs shown, ${why}` };
}
