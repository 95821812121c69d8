/**
 * `vgrad ls [DIR]`: what is stored. On a results root (default: vgrad run's --out): its runs and sweeps;
 * on a sweep folder: its cells. Read from the stored records only.
 */
import { Command } from 'commander';
import type { ChalkInstance } from 'chalk';
import { join } from 'node:path';
import { DEFAULTS } from '../config/runConfig.js';
import { listStored, type StoredEntry as Entry } from '../report/storedList.js';
import { verdictColor } from '../report/sweepTable.js';
import { runsDirOf, SWEEPS_DIR } from '../store/layout.js';
import { chalkFor } from './color.js';
import { writeStdout } from './output.js';
import { outputWidth } from './terminal.js';

export function lsCommand(): Command {
  return new Command('ls')
    .description('list stored runs and sweeps (or the cells of a sweep folder)')
    .argument('[dir]', 'results root or sweep folder', DEFAULTS.out)
    .option('--json', 'one JSON object per line (dates in ISO 8601, UTC)')
    .option('--wide', 'the whole config column on a terminal too (piped output always has it)')
    .addHelpText('after', '\nDates are UTC. On a terminal the config column is cut to its width (COLUMNS, else the terminal\'s, else 80).\n\nExamples:\n  $ vgrad ls\n  $ vgrad ls --wide\n  $ vgrad ls results/sweeps/quickstart')
    .action((dir: string, flags: { json?: boolean; wide?: boolean }) => {
      const entries = listStored(dir);
      if (entries.length === 0) {
        if (!flags.json) process.stderr.write(`${dir}: nothing stored yet\n`);
        return;
      }
      printStored(dir, entries, flags);
    });
}

/** `entries` (listStored(dir)) on stdout: JSON lines with --json, else a table per kind. */
export function printStored(dir: string, entries: Entry[], flags: { json?: boolean; wide?: boolean }): void {
  if (flags.json) {
    for (const entry of entries) writeStdout(`${JSON.stringify(entry)}\n`);
    return;
  }
  const out = process.stdout;
  const color = chalkFor(out);
  const width = outputWidth(out, flags.wide);
  // On a folder of runs (not a results root) the runs are its own, not those of <dir>/runs.
  const runsFolder = entries.some((e) => e.kind === 'run' && e.path === join(runsDirOf(dir), e.id)) ? runsDirOf(dir) : dir;
  for (const kind of ['run', 'cell', 'sweep'] as const) {
    const group = entries.filter((e) => e.kind === kind);
    if (group.length === 0) continue;
    const title = kind === 'run' ? `runs in ${runsFolder}` : kind === 'cell' ? `cells of sweep ${dir}` : `sweeps in ${join(dir, SWEEPS_DIR)}`;
    const { text, configLeftOut } = renderColumns(group, kind, width, color);
    writeStdout(`${color.bold(title)}\n${text}`);
    if (configLeftOut) process.stderr.write(`vgrad: the ${kind === 'sweep' ? 'description' : 'config'} column does not fit in ${width} columns and is left out; --wide (or a wider terminal, or COLUMNS) shows it\n`);
  }
}

/** The table's date: an entry's ISO 8601 date as YYYY-MM-DD HH:MM (UTC). */
const shortDate = (iso: string): string => iso.slice(0, 16).replace('T', ' ');
const DATE_WIDTH = 16;

/** Plain aligned columns (id, status, verdict, date, then the config, cut to `width` when there is one). */
function renderColumns(entries: Entry[], kind: Entry['kind'], width: number | undefined, color: ChalkInstance): { text: string; configLeftOut: boolean } {
  const head = { id: kind === 'sweep' ? 'name' : 'id', status: 'status', verdict: kind === 'sweep' ? '' : 'verdict', date: 'date', config: kind === 'sweep' ? 'description' : 'config' };
  const idWidth = Math.max(head.id.length, ...entries.map((e) => e.id.length));
  const statusWidth = Math.max(head.status.length, ...entries.map((e) => e.status.length));
  const verdictWidth = kind === 'sweep' ? 0 : Math.max(head.verdict.length, ...entries.map((e) => e.verdict.length));
  const line = (e: Pick<Entry, 'id' | 'status' | 'verdict' | 'date' | 'config'>, paint: (word: string) => string) => {
    const fixed = [e.id.padEnd(idWidth), e.status.padEnd(statusWidth), ...(kind === 'sweep' ? [] : [paint(e.verdict) + ' '.repeat(verdictWidth - e.verdict.length)]), e.date.padEnd(DATE_WIDTH)];
    const used = idWidth + statusWidth + verdictWidth + DATE_WIDTH + 2 * fixed.length;
    const room = width === undefined ? Infinity : Math.max(0, width - used);
    const config = e.config.length <= room ? e.config : room > 1 ? `${e.config.slice(0, room - 1)}…` : '';
    return `${fixed.join('  ')}  ${config}`.trimEnd();
  };
  const rows = entries.map((e) => ({ ...e, date: shortDate(e.date) }));
  const used = idWidth + statusWidth + verdictWidth + DATE_WIDTH + 2 * (kind === 'sweep' ? 4 : 5);
  return {
    text: `${[line(head, (w) => w), ...rows.map((e) => line(e, (w) => (w ? verdictColor(color, w) : w)))].join('\n')}\n`,
    configLeftOut: width !== undefined && width - used <= 1,
  };
}
