/**
 * Where runs are kept: ROOT/runs/<run-id>/{config.json, metrics.jsonl, summary.json}.
 *
 * A run is built in a hidden partial folder beside its final one (ROOT/runs/.partial-<run-id>/)
 * and renamed into place only when it completes, so a reader never sees a half-written run
 * folder; every file inside is itself written to a temp file and renamed.
 *
 * Claiming an id: the partial folder is created with mkdir (which fails if it exists) BEFORE the
 * final folder is checked, so of two runs picking the same id exactly one holds it, and the
 * holder's final folder cannot appear under another run. Publishing: Linux's rename onto a
 * non-empty folder fails instead of replacing it; if the final folder was made by something
 * outside this scheme, the run takes the next free id (-2, -3 …) rather than being lost.
 *
 * Liveness: the partial folder holds a lock file (PID, host, start time) from the moment it exists:
 * it is built as a claim folder (.claim-<pid>-…) with the lock inside and renamed to the partial
 * name, and that rename is the claim (it fails onto an existing, non-empty partial folder). So a
 * partial folder without a lock was never a live run's. The clean-up at the next start removes a
 * partial folder if its lock names this host and a PID that no longer exists, or if it has none.
 * Age never decides: a long run's folder mtime does not change while it appends metrics.
 *
 * Removing a partial folder: it is first renamed to .trash-<pid>-… and removed under that name,
 * because a rename onto an EMPTY folder succeeds on Linux: a claim must never land in a folder
 * that a recursive remove has half emptied. Claim and trash folders of dead PIDs are removed too.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../util/atomicFile.js';
import { makeFolders } from '../util/makeFolders.js';
import { UsageError } from '../util/errors.js';
import { DiskError, environmentProblem, guardWrite, injectedFault } from './diskErrors.js';
import { CLAIM_PREFIX, LOCK_FILE, PARTIAL_PREFIX, runsDirOf, TRASH_PREFIX } from './layout.js';
import { toJson } from './record.js';

let trashCount = 0;

export interface RunLock {
  pid: number;
  host: string;
  startedAt: string;
}

/** Writes `value` as JSON (2-space indent, non-finite numbers as markers) atomically: every JSON file of the store. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${toJson(value, 2)}\n`);
}

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

function describeFsError(error: unknown): string {
  const code = errnoOf(error);
  return code ? `${code}: ${(error as Error).message.replace(/^[A-Z]+: /, '')}` : String(error);
}

/** The exact target folder of RunStore.createAt exists or is being written by a live run. */
export class RunFolderTakenError extends Error {
  override readonly name = 'RunFolderTakenError';
  constructor(readonly finalDir: string, reason: string) {
    super(`${finalDir}: ${reason}`);
  }
}

/** Where a run is being published: a folder under runs/ whose id may move on a clash, or one exact folder. */
type Target = { kind: 'runs'; runsDir: string; baseId: string; attempt: number } | { kind: 'exact' };

export class RunStore {
  private done = false;
  /** Empty claim folders taken while re-claiming an id at publish time; removed afterwards. */
  private readonly extraClaims: string[] = [];

  private constructor(
    /** The folder the run will have once published. */
    public finalDir: string,
    private readonly partialDir: string,
    /** Its name; for create(), may change at commit if the folder was taken from outside. */
    public runId: string,
    private readonly target: Target,
  ) {}

  /** Claims a fresh run id under `root` (suffixing -2, -3 … on a clash) and creates its partial folder. */
  static create(root: string, baseId: string): RunStore {
    const runsDir = runsDirOf(root);
    ensureFolder(runsDir, `--out ${root}`);
    removeDeadLeftovers(runsDir);
    for (let attempt = 1; ; attempt++) {
      const runId = idFor(baseId, attempt);
      const partialDir = join(runsDir, `${PARTIAL_PREFIX}${runId}`);
      if (!claim(partialDir, join(runsDir, runId), `--out ${root}`)) continue;
      return new RunStore(join(runsDir, runId), partialDir, runId, { kind: 'runs', runsDir, baseId, attempt });
    }
  }

  /**
   * Creates a run that will be published exactly at `finalDir` (e.g. a sweep cell), with the same
   * partial folder, lock and rename. Throws RunFolderTakenError if `finalDir` exists or another
   * live run is writing it; a dead run's partial folder there is removed first.
   */
  static createAt(finalDir: string): RunStore {
    const parent = dirname(finalDir);
    const partialDir = join(parent, `${PARTIAL_PREFIX}${basename(finalDir)}`);
    ensureFolder(parent, parent);
    if (existsSync(partialDir)) removeIfStale(partialDir);
    if (existsSync(finalDir)) throw new RunFolderTakenError(finalDir, 'exists already');
    if (!claim(partialDir, finalDir, parent)) {
      throw new RunFolderTakenError(finalDir, existsSync(finalDir) ? 'exists already' : `another live run is writing it (${partialDir})`);
    }
    return new RunStore(finalDir, partialDir, basename(finalDir), { kind: 'exact' });
  }

  /** The hidden folder the run is written in until commit. */
  get partialFolder(): string {
    return this.partialDir;
  }

  writeJson(name: string, value: unknown): void {
    this.write(name, () => writeJsonAtomic(join(this.partialDir, name), value));
  }

  /** Writes a binary file (e.g. weights) atomically inside the run folder. */
  writeBytes(name: string, bytes: Uint8Array): void {
    this.write(name, () => writeFileAtomic(join(this.partialDir, name), bytes));
  }

  /** Appends one JSON line; the folder is published only when complete, so lines never tear for readers. */
  appendJsonLine(name: string, value: unknown): void {
    this.write(name, () => appendFileSync(join(this.partialDir, name), `${toJson(value)}\n`));
  }

  /**
   * Publishes the run folder and returns it. `beforePublish(runId)` writes what names the run
   * (summary.json); it runs again if the id had to move because the final folder was taken.
   */
  commit(beforePublish?: (runId: string) => void): string {
    beforePublish?.(this.runId);
    // The lock stays until the folder is published: a partial folder without one cannot be told
    // from a live writer's, so a writer killed between removing it and the rename left a complete
    // cell that the next sweep took as busy and skipped (seen in CI: 3 of 4 cells after a resume).
    for (;;) {
      try {
        guardWrite(dirname(this.finalDir), () => renameSync(this.partialDir, this.finalDir));
        break;
      } catch (error) {
        const code = errnoOf(error);
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
        if (this.target.kind === 'exact') throw new RunFolderTakenError(this.finalDir, 'was created by someone else while this run was written');
        this.claimNextId(this.target);
        beforePublish?.(this.runId);
      }
    }
    this.done = true;
    try {
      unlinkSync(join(this.finalDir, LOCK_FILE));
    } catch {
      // Published already: a lock left in a finished folder (killed just now) is never read.
    }
    this.releaseExtraClaims();
    return this.finalDir;
  }

  /**
   * Removes the partial folder after a failure. Best effort: it never throws, so the failure that
   * led here is the one reported (a folder it cannot remove keeps its lock naming this process,
   * and the next run removes it once this process is gone).
   */
  abandon(): void {
    if (this.done) return;
    this.done = true;
    try {
      discardFolder(this.partialDir);
      this.releaseExtraClaims();
    } catch {
      // see above
    }
  }

  private write(name: string, write: () => void): void {
    guardWrite(this.partialDir, () => {
      injectedFault(name);
      write();
    });
  }

  private claimNextId(target: Extract<Target, { kind: 'runs' }>): void {
    for (;;) {
      target.attempt++;
      const runId = idFor(target.baseId, target.attempt);
      const claimDir = join(target.runsDir, `${PARTIAL_PREFIX}${runId}`);
      if (!claim(claimDir, join(target.runsDir, runId), target.runsDir)) continue;
      this.extraClaims.push(claimDir);
      this.runId = runId;
      this.finalDir = join(target.runsDir, runId);
      return;
    }
  }

  private releaseExtraClaims(): void {
    for (const dir of this.extraClaims.splice(0)) discardFolder(dir);
  }
}

function idFor(baseId: string, attempt: number): string {
  return attempt === 1 ? baseId : `${baseId}-${attempt}`;
}

/**
 * Creates `folder` (and its parents). A read-only or full file system, or a folder this user may
 * not write, is a DiskError (exit 1); anything else (a file in the way) a UsageError naming `what`.
 */
export function ensureFolder(folder: string, what: string): void {
  try {
    makeFolders(folder);
  } catch (error) {
    // mkdir -p on a read-only file system can report ENOENT or EEXIST for a parent; say what is wrong.
    const problem = environmentProblem(error) ?? readOnlyAncestor(folder);
    if (problem) throw new DiskError(`${what}: cannot create ${folder}: ${problem}`);
    throw new UsageError(`${what}: cannot create ${folder} (${describeFsError(error)}); give a writable folder`);
  }
}

/** "read-only file system" if the deepest existing ancestor of `folder` cannot be written, else null. */
function readOnlyAncestor(folder: string): string | null {
  let dir = folder;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    if (!statSync(dir).isDirectory()) return null;
    const probe = join(dir, `.vgrad-write-test-${process.pid}`);
    mkdirSync(probe);
    rmdirSync(probe);
    return null;
  } catch (error) {
    return environmentProblem(error);
  }
}

/**
 * Takes the id whose final folder is `finalDir` by creating `partialDir` with its lock already inside
 * (see the module comment); false if another run holds it or the final folder exists. The claim
 * first, then the existence check: of two runs picking the same id exactly one holds it.
 */
function claim(partialDir: string, finalDir: string, what: string): boolean {
  const parent = dirname(partialDir);
  const claimDir = join(parent, `${CLAIM_PREFIX}${process.pid}-${basename(partialDir)}`);
  const cannotWrite = (error: unknown): unknown => {
    if (errnoOf(error) === undefined) return error; // not the file system's: an internal error, as it is
    const problem = environmentProblem(error);
    if (problem) return new DiskError(`${what}: cannot write in ${parent}: ${problem}`);
    return new UsageError(`${what}: cannot write in ${parent} (${describeFsError(error)}); give a writable folder`);
  };
  try {
    rmSync(claimDir, { recursive: true, force: true }); // left by a dead process that had this PID
    mkdirSync(claimDir);
    const lock: RunLock = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
    injectedFault(LOCK_FILE);
    writeFileAtomic(join(claimDir, LOCK_FILE), `${JSON.stringify(lock)}\n`);
  } catch (error) {
    rmSync(claimDir, { recursive: true, force: true });
    throw cannotWrite(error);
  }
  try {
    renameSync(claimDir, partialDir);
  } catch (error) {
    rmSync(claimDir, { recursive: true, force: true });
    const code = errnoOf(error);
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw cannotWrite(error);
  }
  if (existsSync(finalDir)) {
    discardFolder(partialDir);
    return false;
  }
  return true;
}

/** A fresh name beside `path` for removing it under: .trash-<pid>-<n>-<name>. */
function trashPathFor(path: string): string {
  return join(dirname(path), `${TRASH_PREFIX}${process.pid}-${++trashCount}-${basename(path)}`);
}

/** Removes a folder by renaming it to a trash name first (see the module comment); gone already is fine. */
function discardFolder(path: string): void {
  const trash = trashPathFor(path);
  try {
    renameSync(path, trash);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return;
    throw error;
  }
  rmSync(trash, { recursive: true, force: true });
}

/**
 * Removes `partialDir` if its run is dead. The lock is read again after the rename to trash: if
 * another process removed the dead folder and a live run claimed the name in between, the folder
 * moved is that live run's, and it is put back.
 */
function removeIfStale(partialDir: string): void {
  const judged = readLockText(partialDir);
  if (!existsSync(partialDir) || !lockIsStale(judged)) return;
  const trash = trashPathFor(partialDir);
  try {
    renameSync(partialDir, trash);
  } catch {
    return; // gone already, or not ours to move
  }
  if (readLockText(trash) !== judged) {
    try {
      renameSync(trash, partialDir);
      return;
    } catch {
      // its name was claimed again meanwhile; the moved run will fail at its next write, loudly
    }
  }
  rmSync(trash, { recursive: true, force: true });
}

function readLockText(partialDir: string): string | null {
  try {
    return readFileSync(join(partialDir, LOCK_FILE), 'utf8');
  } catch {
    return null;
  }
}

/** The PID in a claim or trash folder's name (.claim-<pid>-…, .trash-<pid>-…), or null for other names. */
function leftoverPid(name: string): number | null {
  for (const prefix of [CLAIM_PREFIX, TRASH_PREFIX]) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number.parseInt(name.slice(prefix.length), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  }
  return null;
}

/**
 * Removes, in `dir`, what killed processes left: partial folders of dead runs, and claim and trash
 * folders whose PID is gone. Best effort: another process may get there first.
 */
export function removeDeadLeftovers(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    try {
      if (name.startsWith(PARTIAL_PREFIX)) removeIfStale(path);
      else {
        const pid = leftoverPid(name);
        if (pid !== null && !processAlive(pid)) rmSync(path, { recursive: true, force: true });
      }
    } catch {
      // another process got there first, or it is not ours to remove
    }
  }
}

/** The lock a lock file's text holds, or null for none or an unreadable one. */
function parseLock(text: string | null): RunLock | null {
  if (text === null) return null;
  try {
    const lock = JSON.parse(text) as RunLock;
    return Number.isInteger(lock.pid) && typeof lock.host === 'string' ? lock : null;
  } catch {
    return null;
  }
}

/** Whether this process may remove the folder a lock file's text came from: see the module comment. */
function lockIsStale(text: string | null): boolean {
  const lock = parseLock(text);
  // No lock, or an unreadable one (torn by hand, or written by an older vgrad), counts as dead.
  if (!lock) return true;
  return lock.host === hostname() && !processAlive(lock.pid);
}

/**
 * The one process-alive rule, for locks, claims, trash and temp files alike: a PID is gone only
 * when signal 0 says there is no such process (ESRCH); EPERM means it exists but belongs to someone
 * else, and any other answer cannot tell, so the process counts as alive and its files stay. What is
 * not a positive integer names no process (0 and negatives would signal a process group).
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoOf(error) !== 'ESRCH';
  }
}
