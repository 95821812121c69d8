/**
 * `vgrad ls [DIR]`: what is stored. On a results root (default `results`): its runs and sweeps;
 * on a sweep folder: its cells. Read from the stored records only.
 */
import { Command } from 'commander';
import type { ChalkInstance } from 'chalk';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../util/errors.js';
import { DEFAULTS } from '../config/runConfig.js';
import { verdictColor } from '../report/sweepTable.js';
import type { RunRecord } from '../store/record.js';
import { FAILED_DIR, finishedCellIds, isSweepDir, readManifest, readRecordFile } from '../sweep/sweepFolder.js';
import { verdictOf } from '../sweep/verdict.js';
import { chalkFor } from './color.js';
import { writeStdout } from './output.js';

interface Entry {
  kind: 'run' | 'sweep' | 'cell';
  id: string;
  config: string;
  status: string;
  verdict: string;
  date: string;
  path: string;
}

function stamp(path: string): string {
  try {
    return statSync(path).mtime.toISOString().slice(5, 16).replace('T', ' ');
  } catch {
    return '';
  }
}

function configSummary(record: RunRecord): string {
  const c = record.config;
  return `${c.steps} steps · ${c.data}${c.standardize ? ' std' : ''} · ${c.act} ${c.init} d${c.depth} s${c.seed}`;
}

function runEntry(kind: 'run' | 'cell', id: string, dir: string): Entry | undefined {
  const path = join(dir, 'summary.json');
  try {
    const record = readRecordFile(path);
    return { kind, id, config: configSummary(record), status: record.status, verdict: verdictOf(record), date: stamp(path), path: dir };
  } catch {
    return undefined;
  }
}

function sweepEntry(name: string, dir: string): Entry {
  const manifest = readManifest(dir);
  const finished = finishedCellIds(dir).length;
  const failedDir = join(dir, FAILED_DIR);
  const failed = existsSync(failedDir) ? readdirSync(failedDir).filter((f) => f.endsWith('.json')).length : 0;
  const status = `${finished}/${manifest.cells.length} done${failed ? `, ${failed} failed` : ''}`;
  return { kind: 'sweep', id: name, config: manifest.description ?? (manifest.source === 'flags' ? 'grid from flags' : manifest.source), status, verdict: '', date: stamp(join(dir, 'sweep.json')), path: dir };
}

function listDir(dir: string): Entry[] {
  if (!existsSync(dir)) throw new UsageError(`${dir}: no such folder; give a results root (default ${DEFAULTS.out}) or a sweep folder`);
  if (isSweepDir(dir)) {
    return finishedCellIds(dir)
      .map((id) => runEntry('cell', id, join(dir, id)))
      .filter((e): e is Entry => e !== undefined);
  }
  const entries: Entry[] = [];
  const runs = join(dir, 'runs');
  if (existsSync(runs)) {
    for (const id of readdirSync(runs).sort()) {
      if (id.startsWith('.')) continue;
      const entry = runEntry('run', id, join(runs, id));
      if (entry) entries.push(entry);
    }
  }
  const sweeps = join(dir, 'sweeps');
  if (existsSync(sweeps)) {
    for (const name of readdirSync(sweeps).sort()) {
      if (!name.startsWith('.') && isSweepDir(join(sweeps, name))) entries.push(sweepEntry(name, join(sweeps, name)));
    }
  }
  if (entries.length === 0 && !existsSync(runs) && !existsSync(sweeps)) {
    throw new UsageError(`${dir}: neither a results root (with runs/ or sweeps/) nor a sweep folder`);
  }
  return entries;
}

export function lsCommand(): Command {
  return new Command('ls')
    .description('list stored runs and sweeps (or the cells of a sweep folder)')
    .argument('[dir]', 'results root or sweep folder', DEFAULTS.out)
    .option('--json', 'one JSON object per line')
    .addHelpText('after', '\nExamples:\n  $ vgrad ls\n  $ vgrad ls results/sweeps/quickstart')
    .action((dir: string, flags: { json?: boolean }) => {
      const entries = listDir(dir);
      const out = process.stdout;
      if (flags.json) {
        for (const entry of entries) writeStdout(`${JSON.stringify(entry)}\n`);
        return;
      }
      if (entries.length === 0) {
        process.stderr.write(`${dir}: nothing stored yet\n`);
        return;
      }
      const color = chalkFor(out);
      const width = out.isTTY && out.columns ? out.columns : 80;
      for (const kind of ['run', 'cell', 'sweep'] as const) {
        const group = entries.filter((e) => e.kind === kind);
        if (group.length === 0) continue;
        const title = kind === 'run' ? `runs in ${join(dir, 'runs')}` : kind === 'cell' ? `cells of sweep ${dir}` : `sweeps in ${join(dir, 'sweeps')}`;
        writeStdout(`${color.bold(title)}\n${renderColumns(group, kind, width, color)}`);
      }
    });
}

/** Plain aligned columns (id, status, verdict, date, then the config cut to the width). */
function renderColumns(entries: Entry[], kind: Entry['kind'], width: number, color: ChalkInstance): string {
  const head = { id: kind === 'sweep' ? 'name' : 'id', status: 'status', verdict: kind === 'sweep' ? '' : 'verdict', date: 'date', config: kind === 'sweep' ? 'description' : 'config' };
  const idWidth = Math.max(head.id.length, ...entries.map((e) => e.id.length));
  const statusWidth = Math.max(head.status.length, ...entries.map((e) => e.status.length));
  const verdictWidth = kind === 'sweep' ? 0 : Math.max(head.verdict.length, ...entries.map((e) => e.verdict.length));
  const line = (e: Pick<Entry, 'id' | 'status' | 'verdict' | 'date' | 'config'>, paint: (word: string) => string) => {
    const fixed = [e.id.padEnd(idWidth), e.status.padEnd(statusWidth), ...(kind === 'sweep' ? [] : [paint(e.verdict) + ' '.repeat(verdictWidth - e.verdict.length)]), e.date.padEnd(11)];
    const used = idWidth + statusWidth + verdictWidth + 11 + 2 * fixed.length;
    const room = Math.max(0, width - used);
    const config = e.config.length <= room ? e.config : room > 1 ? `${e.config.slice(0, room - 1)}…` : '';
    return `${fixed.join('  ')}  ${config}`.trimEnd();
  };
  return `${[line(head, (w) => w), ...entries.map((e) => line(e, (w) => (w ? verdictColor(color, w) : w)))].join('\n')}\n`;
}
