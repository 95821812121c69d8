/**
 * The one reader of input files: the path must be a regular file (a symlink to one is fine) and
 * no bigger than the cap of its kind (READ_CAPS, stated in docs/formats.md), so /dev/zero, a FIFO
 * or a folder is one line and exit 2 at once, never an endless read.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { fileKind } from './atomicFile.js';
import { EnvironmentError, UsageError } from './errors.js';
import { environmentProblem } from './fsErrors.js';

const MB = 1024 * 1024;

/** The largest file vgrad reads, per kind (docs/formats.md lists them). */
export const READ_CAPS = {
  /** summary.json, config.json, cell.json, sweep.json, a failure file. */
  record: 64 * MB,
  /** metrics.jsonl: every probe point of a run. */
  metrics: 1024 * MB,
  /** An experiment file (.yaml, .yml, .json). */
  experiment: 1 * MB,
  /** A safetensors weights file (--init-from). */
  safetensors: 2048 * MB,
  /** An IDX file (--data idx:DIR), or its .gz. */
  idx: 1024 * MB,
  /** A bench baseline (--compare). */
  baseline: 64 * MB,
} as const;

export type ReadKind = keyof typeof READ_CAPS;

function sizeWords(bytes: number): string {
  return bytes >= MB ? `${(bytes / MB).toFixed(0)} MB` : `${bytes} bytes`;
}

/**
 * The bytes of `path`, read whole. `label` starts every error line (e.g. "--init-from x.st").
 * Not a regular file, or over the cap: UsageError (exit 2). Errors of the filesystem itself
 * (ENOENT, EACCES…) are thrown as they are, for the caller to word or for the CLI's catch-all.
 */
export function readFileCapped(path: string, kind: ReadKind, label: string = path): Buffer {
  const cap = READ_CAPS[kind];
  const before = statSync(path);
  if (!before.isFile()) throw new UsageError(`${label}: is ${fileKind(before)}, not a regular file; give a file`);
  if (before.size > cap) throw new UsageError(`${label}: ${sizeWords(before.size)} is more than a ${kind} file may be (${sizeWords(cap)})`);
  // O_NONBLOCK: if the path was swapped for a FIFO since the stat, open does not wait for a writer.
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new UsageError(`${label}: is ${fileKind(stats)}, not a regular file; give a file`);
    let buffer = Buffer.alloc(Math.min(stats.size, cap) + 1);
    let filled = 0;
    for (;;) {
      const got = readSync(fd, buffer, filled, buffer.length - filled, null);
      if (got === 0) break;
      filled += got;
      if (filled > cap) throw new UsageError(`${label}: more than a ${kind} file may be (${sizeWords(cap)})`);
      if (filled === buffer.length) {
        // The file grew since the stat (a run appending): read on, up to the cap.
        const grown = Buffer.alloc(Math.min(buffer.length * 2, cap + 1));
        buffer.copy(grown);
        buffer = grown;
      }
    }
    return buffer.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}

/** readFileCapped as UTF-8 text. */
export function readTextCapped(path: string, kind: ReadKind, label: string = path): string {
  return readFileCapped(path, kind, label).toString('utf8');
}

/**
 * For a reader's catch: rethrows what readFileCapped said (UsageError) as is, and an environment
 * failure (EACCES, EIO…) as an EnvironmentError (exit 1); returns for anything else, which the
 * caller words as bad input.
 */
export function rethrowReadProblem(error: unknown, label: string): void {
  if (error instanceof UsageError) throw error;
  const problem = environmentProblem(error);
  if (problem !== null) throw new EnvironmentError(`${label}: cannot read: ${problem}`);
}
