/** The stored runs a user means by a list of arguments: run folders, summary.json files, run ids, or folders holding runs. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../util/errors.js';

/** Every summary.json under `folder` (itself a run folder, or any folder of runs, e.g. results/ or a sweep), sorted; hidden (partial) folders skipped. */
export function summariesUnder(folder: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    const names = readdirSync(dir).sort();
    if (names.includes('summary.json')) {
      found.push(join(dir, 'summary.json'));
      return;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
    }
  };
  walk(folder);
  return found;
}

/**
 * summary.json paths for arguments that are run folders, summary.json files, folders of runs, or
 * bare run ids under OUT/runs. A one-line UsageError if one names nothing, or nothing is found.
 */
export function locateRuns(args: string[], out: string): string[] {
  const paths: string[] = [];
  for (const arg of args) {
    if (existsSync(arg) && statSync(arg).isFile()) paths.push(arg);
    else if (existsSync(arg) && statSync(arg).isDirectory()) {
      const under = summariesUnder(arg);
      if (under.length === 0) throw new UsageError(`${arg}: holds no stored run (no summary.json in it or below)`);
      paths.push(...under);
    } else if (!arg.includes('/') && existsSync(join(out, 'runs', arg, 'summary.json'))) paths.push(join(out, 'runs', arg, 'summary.json'));
    else throw new UsageError(`${arg}: no such run; give a run folder, its summary.json, a folder of runs, or a run id under ${join(out, 'runs')} (--out)`);
  }
  return [...new Set(paths)];
}
