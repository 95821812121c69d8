/** `vgrad report DIR`: charts of stored runs (a run, a folder of runs, a sweep), or a terminal depth profile. */
import { Command } from 'commander';
import { UsageError } from '../util/errors.js';
import { COMMAND_DEFAULTS } from '../config/defaults.js';
import { chalkFor } from './color.js';
import { writeStdout } from './output.js';
import { outputWidth } from './terminal.js';

interface ReportFlags {
  out?: string;
  format: string;
  histogramSteps?: string;
  wide?: boolean;
  scale: string;
  charts?: string;
}

const FORMATS = ['html', 'svg', 'png'];
const SCALES = ['shared', 'independent'] as const;

function parseFormats(text: string): ('html' | 'svg' | 'png')[] {
  const formats = text.split(',').map((f) => f.trim().toLowerCase());
  const bad = formats.find((f) => !FORMATS.includes(f));
  if (bad !== undefined || formats.length === 0) throw new UsageError(`--format ${text}: unknown format ${JSON.stringify(bad ?? '')}; allowed: a comma list of ${FORMATS.join(', ')}`);
  return [...new Set(formats)] as ('html' | 'svg' | 'png')[];
}

function parseSteps(text: string): number[] {
  const steps = text.split(',').map((s) => s.trim());
  if (steps.some((s) => !/^\d+$/.test(s))) throw new UsageError(`--histogram-steps ${text}: allowed: a comma list of step numbers, e.g. 0,1000`);
  return steps.map(Number);
}

const CHARTS = ['trainable-depth', 'gradient-profile', 'depth-profile', 'accuracy-by-depth', 'training-curves', 'saturation-map', 'histogram-gradients'];

function parseCharts(text: string): string[] {
  const names = text.split(',').map((name) => name.trim());
  const bad = names.find((name) => !CHARTS.includes(name) && !/^histogram-activations-[a-z-]+$/.test(name));
  if (bad !== undefined) throw new UsageError(`--charts ${text}: unknown chart ${JSON.stringify(bad)}; allowed: a comma list of ${CHARTS.join(', ')}, histogram-activations-ACTS`);
  return names;
}

export function reportCommand(): Command {
  return new Command('report')
    .description('charts of stored runs: depth profile with theory, training curves, saturation map, histograms')
    .argument('<dir>', 'a run folder, a folder of runs (e.g. results/runs) or a sweep folder')
    .option('--out <folder>', 'write report.html and each chart as SVG and PNG into this folder (default: a depth profile on stdout)')
    .option('--format <list>', `what to write with --out: a comma list of ${FORMATS.join(', ')}`, COMMAND_DEFAULTS.report.formats.join(','))
    .option('--histogram-steps <list>', 'probe steps the histograms show (nearest stored point; default: the first and the last)')
    .option('--scale <mode>', `y-ranges of the depth profile: shared (one per statistic row, from the runs that did not diverge; values beyond drawn at the edge) or independent (each panel its own)`, 'shared')
    .option('--charts <list>', 'write only these charts: a comma list of gradient-profile, depth-profile, accuracy-by-depth, training-curves, saturation-map, histogram-gradients, histogram-activations-ACTS (default: all)')
    .option('--wide', 'do not fit the terminal depth profile to the terminal width')
    .addHelpText('after', '\nExamples:\n  $ vgrad report results/runs\n  $ vgrad report results/runs --out report --format html,png')
    .action(async (dir: string, flags: ReportFlags) => {
      const formats = parseFormats(flags.format);
      const scale = SCALES.find((mode) => mode === flags.scale);
      if (scale === undefined) throw new UsageError(`--scale ${flags.scale}: allowed: ${SCALES.join(', ')}`);
      const steps = flags.histogramSteps === undefined ? undefined : parseSteps(flags.histogramSteps);
      const only = flags.charts === undefined ? undefined : parseCharts(flags.charts);
      const { loadStoredRuns } = await import('../report/storedRuns.js');
      const runs = loadStoredRuns(dir);
      // A run without metrics.jsonl has only its record: say which charts it is missing from.
      const bare = runs.filter((run) => run.points.length === 0).map((run) => (run.path === '.' ? dir : run.path));
      if (bare.length > 0) {
        const names = bare.length <= 3 ? bare.join(', ') : `${bare.slice(0, 3).join(', ')} and ${bare.length - 3} more`;
        process.stderr.write(`note: ${names}: no metrics.jsonl, so not in the training curves, the saturation map or the histograms (the depth profile is from summary.json)
`);
      }
      if (flags.out === undefined) {
        const { renderDepthSparklines } = await import('../report/depthSparklines.js');
        writeStdout(renderDepthSparklines(runs, chalkFor(process.stdout), outputWidth(process.stdout, flags.wide)));
        return;
      }
      const { writeReport } = await import('../report/writeReport.js');
      const written = await writeReport(runs, flags.out, formats, `vgrad report: ${dir}`, steps, scale, only);
      process.stderr.write(`wrote ${written.length} files to ${flags.out}\n`);
      writeStdout(`${written.join('\n')}\n`);
    });
}
