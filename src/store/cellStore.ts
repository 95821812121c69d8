/**
 * Sweep cells on disk. Claims one cell's folder, ROOT/sweeps/<name>/<cell-id>/, through the run
 * store's exact-target scheme (RunStore.createAt: atomic claim of a partial folder holding a lock
 * with PID and host, rename into place when complete), and writes cell.json into it first, so a
 * published cell always says what it was given. Copies a finished cell in the same way (merge),
 * and removes what killed processes left in a sweep folder.
 */
import { cpSync, existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempFileOwner } from '../util/atomicFile.js';
import { guardWrite } from './diskErrors.js';
import { CELL_FILE, FAILED_DIR, isRunFolder, LOCK_FILE, OLD_PREFIX } from './layout.js';
import type { CellFile } from './record.js';
import { processAlive, removeDeadLeftovers, RunFolderTakenError, RunStore } from './runStore.js';

export type ClaimResult = { kind: 'claimed'; store: RunStore } | { kind: 'done' } | { kind: 'busy' };

/** Why a cell folder could not be claimed: finished already, or a live process is writing it. */
function takenBy(finalDir: string): 'done' | 'busy' {
  return isRunFolder(finalDir) ? 'done' : 'busy';
}

/** `replace` (--force) removes a finished record first; the cell is then simply unfinished until redone. */
export function claimCell(sweepDir: string, cell: CellFile, replace: boolean): ClaimResult {
  const finalDir = join(sweepDir, cell.id);
  if (isRunFolder(finalDir)) {
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
    store.writeJson(CELL_FILE, cell);
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

/**
 * Removes, in a sweep folder, what killed processes left: partial, claim and trash folders (the run
 * store's rule), finished cells half-way through being replaced (.old-<id>-<pid>), and temp files
 * of atomic writes (also in failed/) whose process is gone.
 */
export function removeSweepLeftovers(sweepDir: string): void {
  if (!existsSync(sweepDir)) return;
  removeDeadLeftovers(sweepDir);
  const tempOfDeadProcess = (name: string) => {
    const pid = tempFileOwner(name);
    return pid !== null && !processAlive(pid);
  };
  for (const name of readdirSync(sweepDir)) {
    const path = join(sweepDir, name);
    try {
      if (name.startsWith(OLD_PREFIX) && !processAlive(Number(name.split('-').pop()))) rmSync(path, { recursive: true, force: true });
      else if (tempOfDeadProcess(name)) rmSync(path, { force: true });
    } catch {
      // another process got there first
    }
  }
  const failed = join(sweepDir, FAILED_DIR);
  if (existsSync(failed)) for (const name of readdirSync(failed)) if (tempOfDeadProcess(name)) rmSync(join(failed, name), { force: true });
}
