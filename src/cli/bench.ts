/** `vgrad bench`: train-step throughput per config, probe overhead, leaks, and the PyTorch ratio. */
import { Command } from 'commander';
import { accessSync, constants, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Table from 'cli-table3';
import { z } from 'zod';
import { UsageError } from '../config/errors.js';
import { caseInsensitiveChoice, decimalInteger, decimalIntegerList, decimalNumber } from '../config/numbers.js';
import { DEFAULTS } from '../config/runConfig.js';
import { BACKEND_CHOICES } from '../backend/choices.js';
import { ACTIVATIONS, type ActivationName } from '../model/activations.js';
import { tableOptions } from '../report/tableStyle.js';
import { compareEntries, DEFAULT_TOLERANCE, parseBenchmarkEntries, type BenchmarkEntry } from '../bench/actionBenchmark.js';
import { chalkFor } from './color.js';

interface BenchFlags {
  depths: string;
  acts: string;
  batches: string;
  chunks: string;
  warmup: string;
  rounds: string;
  backend: string;
  reference?: string;
  python: string;
  json?: boolean;
  output?: string;
  compare?: string;
  tolerance: string;
}

/** Each flag's schema; errors read "--chunks must be an integer ≥ 1 (got 'abc')" (the strict number rules of vgrad run). */
const flagsSchema = {
  depths: decimalIntegerList(1, '2,10,30'),
  acts: z.string().transform((text, ctx) => {
    const acts = text.split(',').map((name) => name.trim().toLowerCase());
    if (!acts.every((act) => (ACTIVATIONS as readonly string[]).includes(act))) {
      ctx.addIssue({ code: 'custom', message: `must be a comma list of ${ACTIVATIONS.join(', ')}` });
      return z.NEVER;
    }
    return acts as ActivationName[];
  }),
  batches: decimalIntegerList(1, '64,256'),
  chunks: decimalInteger(1),
  warmup: decimalInteger(1),
  rounds: decimalInteger(1),
  backend: caseInsensitiveChoice(BACKEND_CHOICES),
  tolerance: decimalNumber('a number in (0, 1)', (value) => value > 0 && value < 1),
};

type BenchSettings = { [K in keyof typeof flagsSchema]: z.output<(typeof flagsSchema)[K]> };

function parseBenchFlags(flags: BenchFlags): BenchSettings {
  const settings: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(flagsSchema)) {
    const text = flags[key as keyof typeof flagsSchema];
    const result = (schema as z.ZodType).safeParse(text);
    if (!result.success) {
      const flag = `--${key}`;
      const hint = (result.error.issues[0] as { params?: { hint?: string } }).params?.hint;
      throw new UsageError(`${flag} ${result.error.issues[0].message} (got '${text}')${hint ? `; ${hint}` : ''}`);
    }
    settings[key] = result.data;
  }
  return settings as BenchSettings;
}

/** Refuses an --output the JSON could not be written to, before any benchmark runs. */
function checkOutputPath(path: string): void {
  const target = resolve(path);
  if (existsSync(target) && statSync(target).isDirectory()) throw new UsageError(`--output ${path} is a folder; give a file path, e.g. bench.json`);
  const folder = dirname(target);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UsageError(`--output ${path}: folder ${folder} does not exist; create it or give another path`);
  try {
    accessSync(folder, constants.W_OK);
    if (existsSync(target)) accessSync(target, constants.W_OK);
  } catch {
    throw new UsageError(`--output ${path}: ${existsSync(target) ? 'the file' : `folder ${folder}`} is not writable; give a writable path`);
  }
}

/** Writes via a temporary file and a rename, so a reader never sees half a file. */
function writeAtomically(path: string, text: string): void {
  const temporary = join(dirname(resolve(path)), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

export function benchCommand(): Command {
  return new Command('bench')
    .description('measure training throughput (samples/s) with probes off and on, tensor count and RSS; optionally against PyTorch')
    .option('--depths <list>', 'hidden layer counts', '2,10,30')
    .option('--acts <list>', 'activations', 'relu,tanh')
    .option('--batches <list>', 'batch sizes', '64,256')
    .option('--chunks <n>', `timed chunks of ${DEFAULTS.logEvery} steps (one probe interval) per measurement; the median chunk counts`, '4')
    .option('--warmup <n>', 'untimed steps before timing', '30')
    .option('--rounds <n>', 'alternating probes-off/on rounds per config; the median round is reported', '3')
    .option('--backend <name>', 'auto, tensorflow, wasm or cpu', 'auto')
    .option('--reference <script>', 'PyTorch reference script to run for each config (e.g. ../shared/bench/torch_mlp_reference.py)')
    .option('--python <path>', 'python for --reference', '/usr/bin/python3')
    .option('--json', 'print github-action-benchmark JSON (customBiggerIsBetter) on stdout instead of the table')
    .option('--output <file>', 'also write that JSON to a file')
    .option('--compare <baseline.json>', 'exit 1 if any config is slower than the baseline beyond --tolerance')
    .option('--tolerance <x>', 'allowed drop in samples/s before --compare fails', String(DEFAULT_TOLERANCE))
    .addHelpText('after', '\nExamples:\n  $ vgrad bench\n  $ vgrad bench --depths 5 --acts relu --batches 64 --reference ../shared/bench/torch_mlp_reference.py\n  $ vgrad bench --json --output bench.json --compare baseline.json')
    .action(async (flags: BenchFlags) => {
      const settings = parseBenchFlags(flags);
      if (flags.output !== undefined) checkOutputPath(flags.output);
      const baseline = flags.compare === undefined ? undefined : readBaseline(flags.compare);
      const { checkReference, runTorchReference } = await import('../bench/torchReference.js');
      if (flags.reference) checkReference(flags.reference, flags.python);
      const { selectBackend } = await import('../backend/select.js');
      const { loadDataset } = await import('../data/load.js');
      const { measure, measurePair } = await import('../bench/benchmark.js');
      const backend = await selectBackend(settings.backend);
      const data = loadDataset({ data: 'mnist', seed: 1, standardize: false, trainSize: 4000, testSize: 1000 });
      // One throwaway run first: wasm code tiers up and XNNPACK fills its caches in the first seconds.
      await measure({ depth: settings.depths[0], act: settings.acts[0], batch: settings.batches[0], probes: true }, data, { warmup: settings.warmup, chunks: 1 });
      const stderrColor = chalkFor(process.stderr);
      process.stderr.write(
        `${stderrColor.bold('vgrad bench')} · backend ${backend.name} ${backend.version} · ${settings.rounds} rounds of ${settings.chunks}×${DEFAULTS.logEvery} timed steps after ${settings.warmup} warm-up\n`,
      );

      const entries: BenchmarkEntry[] = [];
      const rows: string[][] = [];
      for (const depth of settings.depths) {
        for (const act of settings.acts) {
          for (const batch of settings.batches) {
            const name = `${act} depth ${depth} batch ${batch}`;
            const { off, on } = await measurePair({ depth, act, batch }, data, { warmup: settings.warmup, chunks: settings.chunks }, settings.rounds);
            const torch = flags.reference ? runTorchReference(flags.reference, flags.python, off.layers, act, batch, 300) : undefined;
            const overhead = on.msPerStep / off.msPerStep - 1;
            const leak = [off, on].some((m) => m.tensorsAtEnd !== m.tensorsAtStart);
            const torchRatio = torch ? off.msPerStep / torch.msPerStep : undefined;
            process.stderr.write(
              `${name}: ${off.msPerStep.toFixed(2)} ms/step, probes +${(overhead * 100).toFixed(1)}%` +
                (torch ? `, PyTorch ${torch.msPerStep.toFixed(2)} ms/step (${torchRatio!.toFixed(2)}×)` : '') +
                '\n',
            );
            const common = `backend ${backend.name} ${backend.version}; tensors ${off.tensorsAtStart}→${off.tensorsAtEnd}; peak RSS ${off.rssPeakMb.toFixed(0)} MB`;
            entries.push({
              name: `${name} (probes off)`,
              unit: 'samples/s',
              value: round(off.samplesPerSec),
              range: `± ${round(off.samplesPerSecSpread)}`,
              extra: `${off.msPerStep.toFixed(3)} ms/step; ${common}` + (torch ? `; ${torch.framework} ${torch.msPerStep.toFixed(3)} ms/step, ratio ${torchRatio!.toFixed(2)}` : ''),
            });
            entries.push({
              name: `${name} (probes every ${DEFAULTS.logEvery} steps)`,
              unit: 'samples/s',
              value: round(on.samplesPerSec),
              range: `± ${round(on.samplesPerSecSpread)}`,
              extra: `${on.msPerStep.toFixed(3)} ms/step; probe overhead ${(overhead * 100).toFixed(1)}%; backend ${backend.name} ${backend.version}; tensors ${on.tensorsAtStart}→${on.tensorsAtEnd}; peak RSS ${on.rssPeakMb.toFixed(0)} MB`,
            });
            rows.push([
              name,
              off.msPerStep.toFixed(2),
              round(off.samplesPerSec).toString(),
              on.msPerStep.toFixed(2),
              `${(overhead * 100).toFixed(1)}%`,
              torch ? torch.msPerStep.toFixed(2) : '–',
              torchRatio ? `${torchRatio.toFixed(2)}×` : '–',
              `${off.tensorsAtStart}→${off.tensorsAtEnd}, ${on.tensorsAtStart}→${on.tensorsAtEnd}${leak ? ' LEAK' : ''}`,
              `${off.rssStartMb.toFixed(0)}→${on.rssEndMb.toFixed(0)} (peak ${Math.max(off.rssPeakMb, on.rssPeakMb).toFixed(0)})`,
            ]);
          }
        }
      }
      const json = JSON.stringify(entries, null, 2);
      if (flags.output !== undefined) writeAtomically(flags.output, `${json}\n`);
      const color = chalkFor(process.stdout);
      if (flags.json) process.stdout.write(`${json}\n`);
      else {
        const table = new Table(tableOptions(color, ['config', 'ms/step', 'samples/s', 'ms/step probes on', 'probe overhead', 'PyTorch ms/step', 'vgrad/PyTorch', 'tensors (off, on)', 'RSS MB']));
        rows.forEach((row) => table.push(row));
        process.stdout.write(`${table.toString()}\n`);
      }
      if (baseline) {
        const comparisons = compareEntries(baseline, entries, settings.tolerance);
        const regressions = comparisons.filter((c) => c.regressed);
        for (const c of comparisons) {
          process.stderr.write(`${c.regressed ? 'REGRESSION ' : ''}${c.name}: ${c.current} vs baseline ${c.baseline} samples/s (${(c.ratio * 100).toFixed(0)}%)\n`);
        }
        if (regressions.length > 0) {
          process.stderr.write(`vgrad: ${regressions.length} of ${comparisons.length} configs slower than baseline beyond ${(settings.tolerance * 100).toFixed(0)}%\n`);
          process.exitCode = 1;
        } else {
          process.stderr.write(`no regression beyond ${(settings.tolerance * 100).toFixed(0)}% in ${comparisons.length} configs\n`);
        }
      }
    });
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function readBaseline(path: string): BenchmarkEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--compare ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  return parseBenchmarkEntries(text, `--compare ${path}`);
}
