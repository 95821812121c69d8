/**
 * What `vgrad ls` lists, read from the stored records only: on a results root its runs and sweeps,
 * on a sweep folder its finished cells.
 */
import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UsageError } from '../util/errors.js';
import { DEFAULTS } from '../config/runConfig.js';
import { finishedCellIds, isRunFolder, isSweepFolder, runFoldersUnder, runsDirOf, summaryPathOf, SWEEP_FILE, SWEEPS_DIR, visibleFolders } from '../store/layout.js';
import type { RunRecord } from '../store/record.js';
import { readRunRecord, readSweepManifest } from '../store/read.js';
import { failedCellCount } from '../sweep/sweepFolder.js';
import { verdictOf } from '../sweep/verdict.js';
import { escapeControls } from '../util/controlChars.js';

/** One line of `vgrad ls`: a run, a sweep, or a cell of a sweep. */
export interface StoredEntry {
  kind: 'run' | 'sweep' | 'cell';
  id: string;
  config: string;
  status: string;
  verdict: string;
  date: string;
  path: string;
}

function stamp(path: string): string {
  try {
    return statSync(path).mtime.toISOString().replace(/\.\d{3}Z$/, 'Z');
  } catch {
    return '';
  }
}

function configSummary(record: RunRecord): string {
  const c = record.config;
  return `${c.steps} steps · ${c.data}${c.standardize ? ' std' : ''} · ${c.act} ${c.init} d${c.depth} s${c.seed}`;
}

function runEntry(kind: 'run' | 'cell', id: string, dir: string): StoredEntry | undefined {
  const path = summaryPathOf(dir);
  try {
    const record = readRunRecord(path);
    return { kind, id: escapeControls(id), config: configSummary(record), status: record.status, verdict: verdictOf(record), date: stamp(path), path: dir };
  } catch {
    return undefined;
  }
}

function sweepEntry(name: string, dir: string): StoredEntry {
  const manifest = readSweepManifest(dir);
  const finished = finishedCellIds(dir).length;
  const failed = failedCellCount(dir);
  const status = `${finished}/${manifest.cells.length} done${failed ? `, ${failed} failed` : ''}`;
  return { kind: 'sweep', id: escapeControls(name), config: manifest.description ?? (manifest.source === 'flags' ? 'grid from flags' : manifest.source), status, verdict: '', date: stamp(join(dir, SWEEP_FILE)), path: dir };
}

/** What is stored in `dir`: a results root's runs and sweeps, or a sweep folder's finished cells. */
export function listStored(dir: string): StoredEntry[] {
  if (!existsSync(dir)) throw new UsageError(`${dir}: no such folder; give a results root (default ${DEFAULTS.out}) or a sweep folder`);
  if (isSweepFolder(dir)) {
    return finishedCellIds(dir)
      .map((id) => runEntry('cell', id, join(dir, id)))
      .filter((e): e is StoredEntry => e !== undefined);
  }
  const entries: StoredEntry[] = [];
  const runs = runsDirOf(dir);
  if (existsSync(runs)) {
    for (const id of visibleFolders(runs)) {
      const entry = runEntry('run', id, join(runs, id));
      if (entry) entries.push(entry);
    }
  }
  const sweeps = join(dir, SWEEPS_DIR);
  if (existsSync(sweeps)) {
    for (const name of visibleFolders(sweeps)) if (isSweepFolder(join(sweeps, name))) entries.push(sweepEntry(name, join(sweeps, name)));
  }
  if (entries.length === 0 && !existsSync(runs) && !existsSync(sweeps)) {
    // A folder of runs (results/runs, a copy of some run folders): the runs in it.
    const found = isRunFolder(dir) ? [] : runFoldersUnder(dir).map((runDir) => runEntry('run', relative(dir, runDir), runDir));
    const runsHere = found.filter((e): e is StoredEntry => e !== undefined);
    if (runsHere.length > 0) return runsHere;
    throw new UsageError(`${dir}: neither a results root (with runs/ or sweeps/) nor a sweep folder`);
  }
  return entries;
}
