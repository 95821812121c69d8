/**
 * What a sweep keeps in its folder besides its cells (store/layout.ts draws the folder): the plan
 * (sweep.json, written from the SweepPlan) and the failures of unfinished cells (failed/<id>.json,
 * retried on the next run). Cells are claimed, written and read through the store.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FAILED_DIR, SWEEP_FILE } from '../store/layout.js';
import { SWEEP_SCHEMA, type SweepManifest, toJson } from '../store/record.js';
import { writeJsonAtomic } from '../store/runStore.js';
import type { SweepPlan } from './plan.js';
import { readTextCapped } from '../util/readFile.js';
import { writeFileIfChanged } from '../util/atomicFile.js';
import { makeFolders } from '../util/makeFolders.js';

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

export function writeManifest(sweepDir: string, manifest: SweepManifest): void {
  // Unchanged on a re-run: a finished sweep on a read-only disk has nothing to write.
  writeFileIfChanged(join(sweepDir, SWEEP_FILE), `${toJson(manifest, 2)}\n`);
}

export interface FailureFile {
  id: string;
  error: string;
  at: string;
}

function failurePath(sweepDir: string, id: string): string {
  return join(sweepDir, FAILED_DIR, `${id}.json`);
}

export function recordFailure(sweepDir: string, id: string, error: string): void {
  makeFolders(join(sweepDir, FAILED_DIR));
  writeJsonAtomic(failurePath(sweepDir, id), { id, error, at: new Date().toISOString() } satisfies FailureFile);
}

export function clearFailure(sweepDir: string, id: string): void {
  rmSync(failurePath(sweepDir, id), { force: true });
}

/** The last failure recorded for a cell, if any (an unreadable one counts as none: the cell is simply retried). */
export function readFailure(sweepDir: string, id: string): FailureFile | undefined {
  try {
    return JSON.parse(readTextCapped(failurePath(sweepDir, id), 'record')) as FailureFile;
  } catch {
    return undefined;
  }
}

/** How many cells have a failure recorded (and no record yet). */
export function failedCellCount(sweepDir: string): number {
  const failed = join(sweepDir, FAILED_DIR);
  return existsSync(failed) ? readdirSync(failed).filter((name) => name.endsWith('.json')).length : 0;
}
