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

export function lsCommand(): Command {
  return new Command('ls')
    .description('list stored runs and sweeps (or the cells of a sweep folder)')
    .argument('[dir]', 'results root or sweep folder', DEFAULTS.out)
    .option('--json', 'one JSON object per line')
    .addHelpText('after', '\nExamples:\n  $ vgrad ls\n  $ vgrad ls results/sweeps/quickstart')
    .action((dir: string, flags: { json?: boolean }) => {
      const entries = listStored(dir);
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
        const title = kind === 'run' ? `runs in ${runsDirOf(dir)}` : kind === 'cell' ? `cells of sweep ${dir}` : `sweeps in ${join(dir, SWEEPS_DIR)}`;
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
