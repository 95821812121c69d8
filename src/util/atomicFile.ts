/**
 * The one writer of output files: temp file + rename, so a reader sees the old file or the new
 * one, whole. Every file vgrad writes goes through here (run folders, sweep manifests, summaries,
 * exports, reports, TensorBoard events, bench results, the packed digits).
 *
 * It replaces only a regular file or a missing one. A symlink is written through: the rename lands
 * on the file it points to (a link to a missing file is refused). A folder, device, FIFO or socket
 * is refused with a UsageError (exit 2) and left as it was. The temp file is removed on every error.
 */
import { closeSync, constants, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readSync, realpathSync, renameSync, rmSync, type Stats, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { UsageError } from './errors.js';
import { injectedFault } from './fsErrors.js';

/** What a non-regular file is, in words: "a folder", "a character device", … */
export function fileKind(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/**
 * The path a write of `path` replaces: `path` itself when it is a regular file or absent, the
 * file a symlink points to; a UsageError for anything else (never replaced).
 */
export function writeTarget(path: string): string {
  const own = lstatSync(path, { throwIfNoEntry: false });
  if (own === undefined || own.isFile()) return path;
  if (own.isSymbolicLink()) {
    const followed = statSync(path, { throwIfNoEntry: false });
    if (followed === undefined) throw new UsageError(`${path}: a symbolic link to a missing file; give a regular file path (vgrad writes through links only to existing files)`);
    if (!followed.isFile()) throw new UsageError(`${path}: a symbolic link to ${fileKind(followed)}; vgrad writes regular files only and never replaces it`);
    return realpathSync(path);
  }
  throw new UsageError(`${path}: is ${fileKind(own)}, not a regular file; vgrad writes regular files only and never replaces it`);
}

/** Writes `text` to `path` via a temp file and a rename, so `path` is either old or complete. */
export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  const target = writeTarget(path);
  const temp = `${target}.tmp-${process.pid}`;
  try {
    writeTempFile(temp, text, target);
    injectedFault(basename(target));
    renameSync(temp, target);
  } catch (error) {
    try {
      rmSync(temp, { force: true });
    } catch {
      // Nothing more can be done: the error below is the one to report.
    }
    // A failed write(2) carries no path: name the file, so the one-line message can.
    const fsError = error as NodeJS.ErrnoException;
    if (typeof fsError?.code === 'string' && fsError.path === undefined) fsError.path = target;
    throw error;
  }
}

/**
 * writeFileAtomic, unless `path` already holds exactly these bytes: then nothing is written (a
 * finished sweep re-run on a read-only disk rewrites nothing and so does not fail).
 */
export function writeFileIfChanged(path: string, text: string | Uint8Array): void {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text.buffer, text.byteOffset, text.length);
  if (holdsExactly(path, bytes)) return;
  writeFileAtomic(path, bytes);
}

function holdsExactly(path: string, bytes: Buffer): boolean {
  let fd: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile() || stats.size !== bytes.length) return false;
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    if (!fstatSync(fd).isFile()) return false;
    const old = Buffer.alloc(bytes.length + 1);
    let filled = 0;
    for (let got = -1; got !== 0 && filled < old.length; filled += got) got = readSync(fd, old, filled, old.length - filled, null);
    return filled === bytes.length && old.subarray(0, filled).equals(bytes);
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/** The PID in a temp file's name (<target>.tmp-<pid>, as writeFileAtomic names it: a write killed half-way leaves it), or null for other names. */
export function tempFileOwner(name: string): number | null {
  const match = /\.tmp-(\d+)$/.exec(name);
  return match === null ? null : Number(match[1]);
}

/**
 * Test-only hook (test/atomic.test.ts): with VGRAD_TEST_PAUSE_WRITE set to a file name, writing that
 * file stops half-way (half the text written, one line on stderr) and blocks forever, so a test can
 * kill the process mid-write and check the target holds the old content or the new, never a part.
 */
function writeTempFile(file: string, text: string | Uint8Array, target: string): void {
  const pauseOn = process.env.VGRAD_TEST_PAUSE_WRITE;
  if (pauseOn !== undefined && basename(target) === pauseOn) {
    writeFileSync(file, text.slice(0, text.length >> 1));
    process.stderr.write(`vgrad-test: paused writing ${file}\n`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  }
  writeFileSync(file, text, { flag: 'w', mode: 0o644 });
}
