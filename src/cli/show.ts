/** `vgrad show RUN_DIR`: the per-layer table of a stored run, read from its summary.json. */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../config/errors.js';
import { RUN_SCHEMA, type RunRecord } from '../store/record.js';
import { renderFittedReport } from '../report/layerTable.js';
import { chalkFor } from './color.js';
import { outputWidth } from './terminal.js';

export function readRunRecord(runDir: string): RunRecord {
  const path = join(runDir, 'summary.json');
  let record: RunRecord;
  try {
    record = JSON.parse(readFileSync(path, 'utf8')) as RunRecord;
  } catch (error) {
    throw new UsageError(`${path}: cannot read a run record (${(error as Error).message.split('\n')[0]})`);
  }
  if (record?.schema !== RUN_SCHEMA) throw new UsageError(`${path}: not a ${RUN_SCHEMA} record`);
  return record;
}

export function showCommand(): Command {
  return new Command('show')
    .description('print the per-layer table of a stored run')
    .argument('<run-dir>', 'a folder under results/runs/')
    .option('--json', 'print the stored record as JSON')
    .option('--wide', 'print every table column even if wider than the terminal')
    .addHelpText('after', '\nExample:\n  $ vgrad show results/runs/20261129-161144-relu-he-d2-s42')
    .action((runDir: string, flags: { json?: boolean; wide?: boolean }) => {
      const record = readRunRecord(runDir);
      process.stdout.write(flags.json ? `${JSON.stringify(record)}\n` : renderFittedReport(record, chalkFor(process.stdout), outputWidth(process.stdout, flags.wide)));
    });
}
