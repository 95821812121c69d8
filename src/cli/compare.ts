/**
 * `vgrad compare DIR|RUN…`: one statistic per layer, one column per cell or run, on one fixed
 * log scale, from stored records only. A sweep folder stands for all its finished cells.
 */
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UsageError } from '../util/errors.js';
import { COMPARE_STATS, renderCompare, type CompareColumn, type CompareStat } from '../report/compareTable.js';
import type { RunRecord } from '../store/record.js';
import { finishedCellIds, isSweepDir, readManifest, readRecordFile } from '../sweep/sweepFolder.js';
import { chalkFor } from './color.js';
import { writeStdout } from './output.js';

function readRecord(dir: string): RunRecord {
  if (!existsSync(dir)) throw new UsageError(`${dir}: no such run, cell or sweep folder`);
  return readRecordFile(dir.endsWith('.json') ? dir : join(dir, 'summary.json'));
}

/** Short labels: the config values that differ between the columns (d = depth, s = seed). */
export function labelColumns(records: RunRecord[]): string[] {
  const keys = ['act', 'init', 'depth', 'layers', 'seed', 'lr', 'optimizer', 'steps', 'data', 'standardize', 'batch', 'alpha', 'gain', 'momentum'];
  const text = (record: RunRecord, key: string) => {
    const value = (record.config as unknown as Record<string, unknown>)[key];
    return Array.isArray(value) ? value.join(',') : String(value);
  };
  const differs = (key: string) => new Set(records.map((r) => text(r, key))).size > 1;
  // Widths that differ only because the depth does are said by the depth.
  const varying = keys.filter((key) => differs(key) && !(key === 'layers' && differs('depth')));
  return records.map((record) =>
    varying
      .map((key) => (key === 'depth' ? `d${record.config.depth}` : key === 'seed' ? `s${record.config.seed}` : key === 'standardize' ? (record.config.standardize ? 'std' : 'raw') : text(record, key)))
      .join(' '),
  );
}

function columnsFrom(records: { name: string; record: RunRecord }[]): CompareColumn[] {
  const labels = labelColumns(records.map((r) => r.record));
  return records.map((r, i) => ({ label: labels[i], name: r.name, record: r.record }));
}

export function compareColumnsFromSweep(dir: string, ids?: string[]): CompareColumn[] {
  return columnsFrom((ids ?? finishedCellIds(dir)).map((id) => ({ name: id, record: readRecord(join(dir, id)) })));
}

function recordsFor(target: string): { name: string; record: RunRecord }[] {
  if (isSweepDir(target)) {
    const manifest = readManifest(target);
    const finished = new Set(finishedCellIds(target));
    const ordered = [...manifest.cells.map((c) => c.id).filter((id) => finished.has(id)), ...[...finished].filter((id) => !manifest.cells.some((c) => c.id === id))];
    if (ordered.length === 0) throw new UsageError(`${target}: the sweep has no finished cells yet`);
    return ordered.map((id) => ({ name: `${manifest.name}/${id}`, record: readRecord(join(target, id)) }));
  }
  if (!existsSync(target)) throw new UsageError(`${target}: no such run, cell or sweep folder`);
  return [{ name: basename(target.replace(/\/summary\.json$/, '')), record: readRecord(target) }];
}

export function compareCommand(): Command {
  return new Command('compare')
    .description('one statistic per layer, one column per run or sweep cell, on one fixed log scale')
    .argument('<dirs...>', 'sweep folders (all finished cells), cell or run folders')
    .option('--stat <name>', `statistic: ${COMPARE_STATS.join(', ')}`, 'gradVar')
    .option('--at <when>', 'init (step 0) or end (last probe point)', 'init')
    .option('--width <n>', 'columns to fit (default: the terminal width, else 80)')
    .addHelpText('after', '\nExamples:\n  $ vgrad compare results/sweeps/he-2015-depth30\n  $ vgrad compare results/runs/A results/runs/B --stat actVar --at end')
    .action((dirs: string[], flags: { stat: string; at: string; width?: string }) => {
      const stat = COMPARE_STATS.find((s) => s.toLowerCase() === flags.stat.toLowerCase());
      if (!stat) throw new UsageError(`--stat must be one of ${COMPARE_STATS.join(', ')} (got '${flags.stat}')`);
      if (flags.at !== 'init' && flags.at !== 'end') throw new UsageError(`--at must be init or end (got '${flags.at}')`);
      let width = process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : 80;
      if (flags.width !== undefined) {
        width = Number(flags.width);
        if (!/^\d+$/.test(flags.width) || width < 20 || width > 1000) throw new UsageError(`--width must be an integer from 20 to 1000 (got '${flags.width}')`);
      }
      const columns = columnsFrom(dirs.flatMap(recordsFor));
      writeStdout(renderCompare(columns, stat as CompareStat, flags.at === 'init' ? 'initial' : 'final', width, chalkFor(process.stdout)));
    });
}
