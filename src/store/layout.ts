/**
 * The disk layout of stored results, described once: folder and file names, the one walker that
 * finds run folders, how a command-line argument names runs, and how runs and cells get their ids.
 * Every module that finds or names a stored file asks here.
 *
 *   ROOT/                           --out (default results)
 *     runs/<run-id>/                one `vgrad run`: config.json, metrics.jsonl, summary.json
 *                                   (+ weights-step0/final.safetensors with --save-weights)
 *     sweeps/<name>/                one sweep
 *       sweep.json                  the plan: axes, fixed options, each cell's id and overrides
 *       <cell-id>/                  a finished cell: a run folder + cell.json
 *       failed/<cell-id>.json       the last failure of a cell that has no record
 *       summary.csv, summary.jsonl  one row per cell
 *
 * A run or cell folder is built in a hidden .partial-<id>/ holding a .lock and renamed into place
 * when complete (runStore.ts); hidden folders (.partial-, .claim-, .trash-, .old-) are never runs.
 *
 * Two id schemes, on purpose: a run's id is readable and unique by its time stamp (a rerun of
 * `vgrad run` is a new run; -2, -3 … on a clash), a cell's id is a hash of its normalized config
 * (a rerun of a sweep, or another shard, finds the same cell under the same name).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../util/errors.js';
import type { CellConfig } from './record.js';

export const RUNS_DIR = 'runs';
export const SWEEPS_DIR = 'sweeps';
/** Inside a sweep folder: one <cell-id>.json per unfinished cell's last failure. */
export const FAILED_DIR = 'failed';

/** The resolved config a run was given. */
export const CONFIG_FILE = 'config.json';
/** One probe point per line. */
export const METRICS_FILE = 'metrics.jsonl';
/** The run record; written last, so its presence means the run is complete. */
export const SUMMARY_FILE = 'summary.json';
/** In a sweep cell: what the cell was given and its normalized config. */
export const CELL_FILE = 'cell.json';
/** In a sweep folder: the plan. */
export const SWEEP_FILE = 'sweep.json';
export const SUMMARY_CSV_FILE = 'summary.csv';
export const SUMMARY_JSONL_FILE = 'summary.jsonl';
/** Inside a partial folder while its run is alive: PID, host, start time. */
export const LOCK_FILE = '.lock';

/** A run being written: .partial-<id>. */
export const PARTIAL_PREFIX = '.partial-';
/** A claim being built (lock inside, not yet renamed to its partial name): .claim-<pid>-<partial name>. */
export const CLAIM_PREFIX = '.claim-';
/** A partial folder being removed: .trash-<pid>-<n>-<name>. */
export const TRASH_PREFIX = '.trash-';
/** A finished cell being replaced (--force): .old-<cell-id>-<pid>. */
export const OLD_PREFIX = '.old-';

/** The weights file --save-weights writes for `when`. */
export function weightsFileName(when: 'init' | 'final'): string {
  return `weights-${when === 'init' ? 'step0' : 'final'}.safetensors`;
}

export function runsDirOf(root: string): string {
  return join(root, RUNS_DIR);
}

export function sweepDirOf(root: string, name: string): string {
  return join(root, SWEEPS_DIR, name);
}

export function summaryPathOf(runDir: string): string {
  return join(runDir, SUMMARY_FILE);
}

/** A finished run or cell folder: it holds its record. */
export function isRunFolder(dir: string): boolean {
  return existsSync(summaryPathOf(dir));
}

export function isSweepFolder(dir: string): boolean {
  return existsSync(join(dir, SWEEP_FILE));
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // a dangling link, or gone meanwhile
  }
}

/** The names of the folders in `dir` that are not hidden, sorted. */
export function visibleFolders(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.') && isDirectory(join(dir, name)))
    .sort();
}

/** Below this many folders the walker stops: a sweep cell is three levels under ROOT. */
const MAX_WALK_DEPTH = 7;

/**
 * The one walker: every run folder (one holding summary.json) at or below `folder`, in path order
 * (each level sorted by name). A run folder's inside is not searched; hidden folders (partial,
 * claim, trash, replaced) are skipped; `maxDepth` levels below `folder` at most.
 */
export function runFoldersUnder(folder: string, maxDepth = MAX_WALK_DEPTH): string[] {
  const found: string[] = [];
  const visit = (dir: string, depth: number) => {
    if (isRunFolder(dir)) {
      found.push(dir);
      return;
    }
    if (depth >= maxDepth) return;
    for (const name of visibleFolders(dir)) visit(join(dir, name), depth + 1);
  };
  visit(folder, 0);
  return found;
}

/** Ids of the finished cells in a sweep folder (folders holding summary.json and cell.json), sorted. */
export function finishedCellIds(sweepDir: string): string[] {
  if (!existsSync(sweepDir)) return [];
  return visibleFolders(sweepDir).filter((id) => id !== FAILED_DIR && isRunFolder(join(sweepDir, id)) && existsSync(join(sweepDir, id, CELL_FILE)));
}

/**
 * The summary.json files one argument names: a summary.json (or other record file) itself, a run
 * folder, a folder of runs (results/, a sweep), or a bare run id under ROOT/runs. Empty if it names
 * nothing.
 */
function summariesNamedBy(arg: string, root: string): string[] {
  if (existsSync(arg) && statSync(arg).isFile()) return [arg];
  if (isDirectory(arg)) return runFoldersUnder(arg).map(summaryPathOf);
  const byId = join(runsDirOf(root), arg);
  if (!arg.includes('/') && isRunFolder(byId)) return [summaryPathOf(byId)];
  return [];
}

/**
 * summary.json paths for arguments that are run folders, summary.json files, folders of runs, or
 * bare run ids under ROOT/runs. A one-line UsageError if one names nothing.
 */
export function locateRuns(args: string[], root: string): string[] {
  const paths: string[] = [];
  for (const arg of args) {
    const named = summariesNamedBy(arg, root);
    if (named.length === 0 && isDirectory(arg)) throw new UsageError(`${arg}: holds no stored run (no ${SUMMARY_FILE} in it or below)`);
    if (named.length === 0) throw new UsageError(`${arg}: no such run; give a run folder, its ${SUMMARY_FILE}, a folder of runs, or a run id under ${runsDirOf(root)} (--out)`);
    paths.push(...named);
  }
  return [...new Set(paths)];
}

/** The summary.json of the one run `arg` names (a run folder, its summary.json, or a run id); a one-line UsageError otherwise. */
export function locateRun(arg: string, root: string): string {
  const named = summariesNamedBy(arg, root);
  if (named.length === 1) return named[0];
  if (named.length > 1) throw new UsageError(`${arg}: holds ${named.length} runs; give one run`);
  throw new UsageError(`${arg}: no such run; give a run folder, its ${SUMMARY_FILE}, or a run id under ${runsDirOf(root)} (--out)`);
}

/** A readable, sortable run id: time, activation, initializer, depth, seed. */
export function baseRunId(now: Date, act: string, init: string, depth: number, seed: number): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const safeInit = init.replace(/[^a-zA-Z0-9.=-]+/g, '_');
  return `${stamp}-${act}-${safeInit}-d${depth}-s${seed}`;
}

/** JSON with object keys sorted at every level, so equal configs give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const HASH_CHARS = 10;

/**
 * A cell's id: a hash of its normalized config (every default filled in), so `--depth 2` and no
 * flag name the same cell, whichever way the grid was written. A readable prefix keeps folder
 * listings useful; the hash makes the id unique.
 */
export function cellId(config: CellConfig): string {
  // Zero biases are how every cell ran before --bias-std existed: leaving biasStd 0 out of the hash
  // keeps those cells' ids, so a sweep started before resumes without redoing them.
  const { biasStd, ...rest } = config as CellConfig & { biasStd?: number };
  const hashed = biasStd === undefined || biasStd === 0 ? rest : config;
  const hash = createHash('sha256').update(canonicalJson(hashed)).digest('hex').slice(0, HASH_CHARS);
  const init = config.init.replace(/[^a-z0-9.-]+/gi, '_').slice(0, 24);
  return `${config.act}-${init}-d${config.depth}-s${config.seed}-${hash}`;
}

/** Ids and names become folder names: one path component of safe characters, never '.' or '..'. */
const SAFE_COMPONENT = /^[A-Za-z0-9][A-Za-z0-9._=-]{0,127}$/;

export function isSafeComponent(name: string): boolean {
  return SAFE_COMPONENT.test(name) && !name.includes('..');
}
