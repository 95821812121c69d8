/**
 * Claims one cell's folder, ROOT/sweeps/<name>/<cell-id>/, through the run store's exact-target
 * scheme (RunStore.createAt: atomic claim of a partial folder holding a lock with PID and host,
 * rename into place when complete), and writes cell.json into it first, so a published cell
 * always says what it was given.
 */
import { renameSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { RunFolderTakenError, RunStore } from '../store/runStore.js';
import { type CellFile, OLD_PREFIX } from './sweepFolder.js';

export type ClaimResult = { kind: 'claimed'; store: RunStore } | { kind: 'done' } | { kind: 'busy' };

/** `replace` (--force) removes a finished record first; the cell is then simply unfinished until redone. */
export function claimCell(sweepDir: string, cell: CellFile, replace: boolean): ClaimResult {
  const finalDir = join(sweepDir, cell.id);
  if (existsSync(join(finalDir, 'summary.json'))) {
    if (!replace) return { kind: 'done' };
    // Renamed away first (one atomic step), then removed: a reader never sees half a record.
    const old = join(sweepDir, `${OLD_PREFIX}${cell.id}-${process.pid}`);
    renameSync(finalDir, old);
    rmSync(old, { recursive: true, force: true });
  }
  let store: RunStore;
  try {
    store = RunStore.createAt(finalDir);
  } catch (error) {
    if (error instanceof RunFolderTakenError) return { kind: existsSync(join(finalDir, 'summary.json')) ? 'done' : 'busy' };
    throw error;
  }
  try {
    store.writeJson('cell.json', cell);
  } catch (error) {
    store.abandon();
    throw error;
  }
  return { kind: 'claimed', store };
}
