/**
 * Atomic file writes: temp file + rename, so a reader sees the old file or the new one, whole.
 * Every file vgrad writes goes through here (run folders, sweep manifests, summaries, exports,
 * the packed digits).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

/** Writes `text` to `path` via a temp file and a rename, so `path` is either old or complete. */
export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  const temp = `${path}.tmp-${process.pid}`;
  writeTempFile(temp, text, path);
  renameSync(temp, path);
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
  writeFileSync(file, text);
}
