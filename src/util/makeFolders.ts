/**
 * `mkdir -p` that fails at once. Node 20's mkdirSync(path, { recursive: true }) loops forever,
 * inside one native call no signal can interrupt, when a parent exists but refuses children with
 * ENOENT (/proc/x: `vgrad run --out /proc/x` spun at 100% CPU until killed with SIGKILL). Here each
 * missing folder is made on its own, top down, so the first refusal is the error.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Creates `path` and its missing parents; returns the first folder it created (as mkdirSync's recursive form does), or undefined. */
export function makeFolders(path: string): string | undefined {
  const missing: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    if (statSync(dir, { throwIfNoEntry: false }) !== undefined) break;
    missing.push(dir);
    if (dirname(dir) === dir) break;
  }
  let first: string | undefined;
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
      first ??= dir;
    } catch (error) {
      // Made by someone else meanwhile: fine if it is a folder (the next mkdir says if it is not).
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return first;
}
