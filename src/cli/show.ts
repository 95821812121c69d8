/** `vgrad show RUN`: the per-layer table of a stored run, read from its summary.json. */
import { Command } from 'commander';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../config/errors.js';
import { toJson, type RunRecord } from '../store/record.js';
import { decodeRunRecord } from '../store/recordSchema.js';
import { renderRunReport } from '../report/layerTable.js';
import { chalkFor } from './color.js';
import { writeStdout } from './output.js';

/**
 * The summary.json a user means by `run`: a path to summary.json, a run folder, or a bare run id
 * looked up as OUT/runs/<id>.
 */
export function locateRunRecord(run: string, out: string): string {
  const isFile = (path: string) => existsSync(path) && statSync(path).isFile();
  const isDir = (path: string) => existsSync(path) && statSync(path).isDirectory();
  if (isFile(run)) return run;
  if (isDir(run)) return join(run, 'summary.json');
  const byId = join(out, 'runs', run);
  if (!run.includes('/') && isDir(byId)) return join(byId, 'summary.json');
  throw new UsageError(`${run}: no such run; give a run folder, its summary.json, or a run id under ${join(out, 'runs')} (--out)`);
}

/** Reads and validates a stored record; non-finite markers become numbers again. */
export function readRunRecord(path: string): RunRecord {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`${path}: cannot read a run record (${(error as Error).message.split('\n')[0]})`);
  }
  const decoded = decodeRunRecord(value);
  if ('problem' in decoded) throw new UsageError(`${path}: ${decoded.problem}`);
  return decoded.record;
}

export function showCommand(): Command {
  return new Command('show')
    .description('print the per-layer table of a stored run')
    .argument('<run>', 'a run id (looked up under --out), a run folder, or its summary.json')
    .option('--out <dir>', 'root folder of stored runs, for a bare run id', 'results')
    .option('--json', 'print the stored record as JSON')
    .addHelpText('after', '\nExamples:\n  $ vgrad show 20261129-161144-relu-he-d2-s42\n  $ vgrad show results/runs/20261129-161144-relu-he-d2-s42/summary.json --json')
    .action((run: string, flags: { json?: boolean; out: string }) => {
      const record = readRunRecord(locateRunRecord(run, flags.out));
      writeStdout(flags.json ? `${toJson(record)}\n` : renderRunReport(record, chalkFor(process.stdout)));
    });
}
