/**
 * A sweep on disk:
 *
 *   ROOT/sweeps/<name>/
 *     sweep.json            the plan: axes, fixed options, every cell's id and the options it was given
 *     <cell-id>/            one finished cell, in the run format (config.json, metrics.jsonl, summary.json) + cell.json
 *     failed/<cell-id>.json the last failure of a cell that has no record (retried on the next run)
 *     summary.csv, summary.jsonl
 *
 * A cell is built in .partial-<cell-id>/ (holding the run store's lock: PID and host of the
 * process that writes it) and renamed into place when complete, so a cell folder is complete or
 * absent. Partial folders whose writer is gone (kill -9) are removed by the next run on that host;
 * one without a lock was never a live writer's (the run store locks it before it is visible).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../util/errors.js';
import type { RunRecord } from '../store/record.js';
import { decodeRunRecord } from '../store/recordSchema.js';
import { PARTIAL_PREFIX, removeDeadLeftovers } from '../store/runStore.js';
import { writeFileAtomic } from '../util/atomicFile.js';
import type { CellConfig } from './cellId.js';
import type { Expectation } from './expectations.js';
import type { Axis, Overrides } from './grid.js';
import type { SweepPlan } from './plan.js';

export const SWEEP_SCHEMA = 'vgrad.sweep/1';
export const CELL_SCHEMA = 'vgrad.cell/1';
export { PARTIAL_PREFIX };
export const OLD_PREFIX = '.old-';
export const FAILED_DIR = 'failed';

export interface SweepManifest {
  schema: typeof SWEEP_SCHEMA;
  name: string;
  description: string | null;
  source: string;
  axes: Axis[];
  fixed: Overrides;
  cells: { id: string; overrides: Overrides }[];
  expectations: Expectation[];
}

/** cell.json: what the cell was given and its normalized config (the id is a hash of it). */
export interface CellFile {
  schema: typeof CELL_SCHEMA;
  id: string;
  overrides: Overrides;
  config: CellConfig;
}

export function sweepDirFor(root: string, name: string): string {
  return join(root, 'sweeps', name);
}

export function manifestOf(plan: SweepPlan): SweepManifest {
  return {
    schema: SWEEP_SCHEMA,
    name: plan.name,
    description: plan.description ?? null,
    source: plan.source,
    axes: plan.axes,
    fixed: plan.fixed,
    cells: plan.cells.map((cell) => ({ id: cell.id, overrides: cell.overrides })),
    expectations: plan.expectations,
  };
}

function describeFsError(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0];
}

export function ensureSweepDir(dir: string, flag = '--out'): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UsageError(`${flag}: cannot create ${dir} (${describeFsError(error)}); give a writable folder`);
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function readManifest(dir: string): SweepManifest {
  const path = join(dir, 'sweep.json');
  let manifest: SweepManifest;
  try {
    manifest = readJson<SweepManifest>(path);
  } catch (error) {
    throw new UsageError(`${dir}: not a sweep folder (cannot read sweep.json: ${describeFsError(error)})`);
  }
  if (manifest?.schema !== SWEEP_SCHEMA || !Array.isArray(manifest.cells)) throw new UsageError(`${path}: not a ${SWEEP_SCHEMA} file`);
  return manifest;
}

export function isSweepDir(dir: string): boolean {
  return existsSync(join(dir, 'sweep.json'));
}

/** True when a finished record exists for the cell. */
export function cellDone(dir: string, id: string): boolean {
  return existsSync(join(dir, id, 'summary.json'));
}

/** Ids of the finished cells in a sweep folder (folders holding summary.json and cell.json). */
export function finishedCellIds(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== FAILED_DIR)
    .map((entry) => entry.name)
    .filter((id) => existsSync(join(dir, id, 'summary.json')) && existsSync(join(dir, id, 'cell.json')))
    .sort();
}

/** A stored run record (summary.json), validated and with its non-finite markers decoded; UsageError if it is not one. */
export function readRecordFile(path: string): RunRecord {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`${path}: cannot read a run record (${describeFsError(error)})`);
  }
  const decoded = decodeRunRecord(value);
  if ('problem' in decoded) throw new UsageError(`${path}: not a run record (${decoded.problem})`);
  return decoded.record;
}

export function readCell(dir: string, id: string): { cell: CellFile; record: RunRecord } {
  return { cell: readJson<CellFile>(join(dir, id, 'cell.json')), record: readRecordFile(join(dir, id, 'summary.json')) };
}

export interface FailureFile {
  id: string;
  error: string;
  at: string;
}

export function failurePath(dir: string, id: string): string {
  return join(dir, FAILED_DIR, `${id}.json`);
}

export function recordFailure(dir: string, id: string, error: string): void {
  mkdirSync(join(dir, FAILED_DIR), { recursive: true });
  writeJsonAtomic(failurePath(dir, id), { id, error, at: new Date().toISOString() } satisfies FailureFile);
}

export function clearFailure(dir: string, id: string): void {
  rmSync(failurePath(dir, id), { force: true });
}

export function readFailure(dir: string, id: string): FailureFile | undefined {
  try {
    return readJson<FailureFile>(failurePath(dir, id));
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Leftovers of killed processes: partial, claim and trash folders, replaced cells, temp files of atomic writes. */
export function removeStale(dir: string): void {
  if (!existsSync(dir)) return;
  removeDeadLeftovers(dir);
  const tempOfDeadProcess = (name: string) => {
    const match = /\.tmp-(\d+)$/.exec(name);
    return match !== null && !isAlive(Number(match[1]));
  };
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    try {
      if (name.startsWith(OLD_PREFIX) && !isAlive(Number(name.split('-').pop()))) rmSync(path, { recursive: true, force: true });
      else if (tempOfDeadProcess(name)) rmSync(path, { force: true });
    } catch {
      // another process got there first
    }
  }
  const failed = join(dir, FAILED_DIR);
  if (existsSync(failed)) for (const name of readdirSync(failed)) if (tempOfDeadProcess(name)) rmSync(join(failed, name), { force: true });
}
