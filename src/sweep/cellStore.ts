/**
 * Claims one cell's folder, ROOT/sweeps/<name>/<cell-id>/, through the run store's exact-target
 * scheme (RunStore.createAt: atomic claim of a partial folder holding a lock with PID and host,
 * rename into place when complete), and writes cell.json into it first, so a published cell
 * always says what it was given.
 */
import { cpSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { guardWrite } from '../store/diskErrors.js';
import { LOCK_FILE, RunFolderTakenError, RunStore } from '../store/runStore.js';
import { type CellFile, OLD_PREFIX } from './sweepFolder.js';

export type ClaimResult = { kind: 'claimed'; store: RunStore } | { kind: 'done' } | { kind: 'busy' };

/** Why a cell folder could not be claimed: finished already, or a live process is writing it. */
function takenBy(finalDir: string): 'done' | 'busy' {
  return existsSync(join(finalDir, 'summary.json')) ? 'done' : 'busy';
}

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
    if (error instanceof RunFolderTakenError) return { kind: takenBy(finalDir) };
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

/**
 * Copies a finished cell folder (another shard's) into `sweepDir` under the same claim, lock and
 * rename as a cell being run, so a concurrent sweep never takes the copy for abandoned and a reader
 * never sees half of it. 'done' if the cell is there already, 'busy' if a live process is writing it.
 */
export function copyCellInto(sweepDir: string, sourceCellDir: string, id: string): 'copied' | 'done' | 'busy' {
  const finalDir = join(sweepDir, id);
  let store: RunStore;
  try {
    store = RunStore.createAt(finalDir);
  } catch (error) {
    if (error instanceof RunFolderTakenError) return takenBy(finalDir);
    throw error;
  }
  try {
    guardWrite(store.partialFolder, () =>
      cpSync(sourceCellDir, store.partialFolder, { recursive: true, filter: (source) => source === sourceCellDir || !source.endsWith(`/${LOCK_FILE}`) }),
    );
    store.commit();
    return 'copied';
  } catch (error) {
    store.abandon();
    if (error instanceof RunFolderTakenError) return takenBy(finalDir);
    throw error;
  }
}
