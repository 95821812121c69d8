/** `vgrad bench`: train-step throughput per config, probe overhead, leaks, and the PyTorch ratio. */
import { Command } from 'commander';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Table from 'cli-table3';
import { EnvironmentError, UsageError } from '../util/errors.js';
import { writeFileAtomic, writeTarget } from '../util/atomicFile.js';
import { guardWrite } from '../store/diskErrors.js';
import { caseInsensitiveChoice, decimalInteger, decimalIntegerList, decimalNumber, FlagValueError, readFlag } from '../util/decimal.js';
import { COMMAND_DEFAULTS } from '../config/defaults.js';
import { BACKEND_CHOICES, type BackendChoice } from '../backend/choices.js';
import { ACTIVATIONS, type ActivationName } from '../model/activations.js';
import { tableOptions } from '../report/tableStyle.js';
import { droppedNote, fitTable } from '../report/fitWidth.js';
import { signedPercent } from '../util/signedPercent.js';
import { outputWidth } from './terminal.js';
import { compareEntries, parseBenchmarkEntries, type BenchmarkEntry } from '../bench/actionBenchmark.js';
import { chalkFor } from './color.js';
import { readTextCapped, rethrowReadProblem } from '../util/readFile.js';

const DEFAULT = COMMAND_DEFAULTS.bench;
/** The held-out split bench's probe batch is drawn from. */
const BENCH_TEST_SIZE = DEFAULT.run.testSize;

interface BenchFlags {
  depths: string;
  acts: string;
  batches: string;
  chunks: string;
  logEvery: string;
  probeSize: string;
  warmup: string;
  rounds: string;
  threads: string;
  backend: string;
  backends?: string;
  reference?: string | true;
  python: string;
  json?: boolean;
  wide?: boolean;
  output?: string;
  compare?: string;
  tolerance: string;
}

/** Each flag's reader; errors read "--chunks must be an integer ≥ 1 (got 'abc')" (the strict number rules of vgrad run). */
const flagReaders = {
  depths: decimalIntegerList(1, '2,10,30'),
  acts: (text: string): ActivationName[] => {
    const acts = text.split(',').map((name) => name.trim().toLowerCase());
    if (!acts.every((act) => (ACTIVATIONS as readonly string[]).includes(act))) throw new FlagValueError(`must be a comma list of ${ACTIVATIONS.join(', ')}`);
    return acts as ActivationName[];
  },
  batches: decimalIntegerList(1, '64,256'),
  chunks: decimalInteger(1),
  logEvery: decimalInteger(1),
  probeSize: decimalInteger(1, BENCH_TEST_SIZE),
  warmup: decimalInteger(1),
  rounds: decimalInteger(1),
  threads: decimalInteger(1),
  tolerance: decimalNumber('a number in (0, 1)', (value) => value > 0 && value < 1),
};

type BenchSettings = { [K in keyof typeof flagReaders]: ReturnType<(typeof flagReaders)[K]> };

function parseBenchFlags(flags: BenchFlags): BenchSettings {
  const settings: Record<string, unknown> = {};
  for (const [key, read] of Object.entries(flagReaders)) {
    const flag = `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
    settings[key] = readFlag<string, unknown>(flag, read, flags[key as keyof typeof flagReaders]);
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
    writeTarget(target);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`--output ${error.message}`);
    throw error;
  }
  try {
    accessSync(folder, constants.W_OK);
    if (existsSync(target)) accessSync(target, constants.W_OK);
  } catch {
    throw new EnvironmentError(`--output ${path}: ${existsSync(target) ? 'the file' : `folder ${folder}`} is not writable; give a writable path`);
  }
}

export function benchCommand(): Command {
  return new Command('bench')
    .description('measure training throughput (samples/s) with probes off and on, tensor count and RSS, on one or more backends; optionally against PyTorch')
    .option('--depths <list>', 'hidden layer counts', DEFAULT.depths)
    .option('--acts <list>', 'activations', DEFAULT.acts)
    .option('--batches <list>', 'batch sizes', DEFAULT.batches)
    .option('--chunks <n>', 'timed chunks of one probe interval (--log-every steps) per measurement; the median chunk counts', String(DEFAULT.chunks))
    .option('--log-every <k>', 'the probe cadence measured, as vgrad run --log-every: probes every K steps', String(DEFAULT.logEvery))
    .option('--probe-size <n>', `held-out samples in the probe batch, as vgrad run --probe-size (1–${BENCH_TEST_SIZE})`, String(DEFAULT.probeSize))
    .option('--warmup <n>', 'untimed steps before timing', String(DEFAULT.warmup))
    .option('--rounds <n>', 'alternating probes-off/on rounds per config; the median round is reported', String(DEFAULT.rounds))
    .option('--backends <list>', 'comma list of backends to measure in turn (auto, tensorflow, wasm, cpu), e.g. wasm,tensorflow')
    .option('--backend <name>', 'one backend: the same as --backends with one name', DEFAULT.backend)
    .option('--threads <n>', 'compute threads on every backend and in the PyTorch reference (more than 1 needs the native backend)', String(DEFAULT.threads))
    .option('--reference [script]', 'also time each config in PyTorch with this script (default: bench/torch_mlp_reference.py, shipped with vgrad)')
    .option('--python <path>', 'python for --reference', DEFAULT.python)
    .option('--json', 'print github-action-benchmark JSON (customBiggerIsBetter) on stdout instead of the table')
    .option('--wide', 'print every table column even if wider than the terminal')
    .option('--output <file>', 'also write that JSON to a file')
    .option('--compare <baseline.json>', 'exit 1 if any config is slower than the baseline beyond --tolerance')
    .option('--tolerance <x>', 'allowed drop in samples/s before --compare fails', String(DEFAULT.tolerance))
    .addHelpText(
      'after',
      '\nExamples:\n  $ vgrad bench\n  $ vgrad bench --depths 5 --acts relu --batches 64,256 --backends wasm,tensorflow --reference\n  $ vgrad bench --json --output bench.json --compare baseline.json',
    )
    .action(async (flags: BenchFlags, command: Command) => {
      const settings = parseBenchFlags(flags);
      const requested = backendList(flags, command);
      if (flags.output !== undefined) checkOutputPath(flags.output);
      const baseline = flags.compare === undefined ? undefined : readBaseline(flags.compare);
      const { checkReference, SHIPPED_REFERENCE } = await import('../bench/torchReference.js');
      const script = flags.reference === true ? SHIPPED_REFERENCE : flags.reference;
      if (script) checkReference(script, flags.python);
      const { benchEntries, roundRate, runBench } = await import('../bench/runBench.js');
      const stderrColor = chalkFor(process.stderr);
      const results = await runBench(settings, requested, script ? { script, python: flags.python } : undefined, {
        onReady: (backends) =>
          process.stderr.write(
            `${stderrColor.bold('vgrad bench')} · ${backends.length > 1 ? 'backends' : 'backend'} ${backends.map((b) => `${b.name} ${b.version}`).join(', ')} · ${settings.threads} thread${settings.threads === 1 ? '' : 's'} · ${settings.rounds} rounds of ${settings.chunks}×${settings.logEvery} timed steps after ${settings.warmup} warm-up · probe batch ${settings.probeSize}\n`,
          ),
        onResult: ({ name, off, torch, overhead, torchRatio, cpuRatio }) =>
          process.stderr.write(
            `${name}: ${off.msPerStep.toFixed(2)} ms/step (CPU ${off.cpuMsPerStep.toFixed(2)}), probes ${signedPercent(overhead)}` +
              (torch ? `, PyTorch ${torch.msPerStep.toFixed(2)} ms/step (${torchRatio!.toFixed(2)}×)` + (cpuRatio ? `, CPU ${torch.cpuMsPerStep!.toFixed(2)} (${cpuRatio.toFixed(2)}×)` : '') : '') +
              '\n',
          ),
      });
      const entries = results.flatMap((result) => benchEntries(result, settings.logEvery));
      const rows = results.map(({ config, backend, off, on, torch, overhead, leak, torchRatio, cpuRatio }) => [
        config,
        backend.name,
        off.msPerStep.toFixed(2),
        off.cpuMsPerStep.toFixed(2),
        roundRate(off.samplesPerSec).toString(),
        on.msPerStep.toFixed(2),
        signedPercent(overhead),
        torch ? torch.msPerStep.toFixed(2) : '–',
        torchRatio ? `${torchRatio.toFixed(2)}×` : '–',
        cpuRatio ? `${cpuRatio.toFixed(2)}×` : '–',
        `${off.tensorsAtStart}→${off.tensorsAtEnd}, ${on.tensorsAtStart}→${on.tensorsAtEnd}${leak ? ' LEAK' : ''}`,
        `${off.rssStartMb.toFixed(0)}→${on.rssEndMb.toFixed(0)} (peak ${Math.max(off.rssPeakMb, on.rssPeakMb).toFixed(0)})`,
      ]);
      const json = JSON.stringify(entries, null, 2);
      if (flags.output !== undefined) guardWrite(dirname(resolve(flags.output)), () => writeFileAtomic(flags.output!, `${json}\n`));
      const color = chalkFor(process.stdout);
      if (flags.json) process.stdout.write(`${json}\n`);
      else {
        const head = ['config', 'backend', 'ms/step', 'CPU ms/step', 'samples/s', 'ms/step probes on', 'probe overhead (CPU)', 'PyTorch ms/step', 'vgrad/PyTorch', 'CPU vgrad/PyTorch', 'tensors (off, on)', 'RSS MB'];
        const table = new Table(tableOptions(color, head));
        rows.forEach((row) => table.push(row));
        // On a narrow terminal RSS, PyTorch's own time, probes-on time, samples/s and CPU time go
        // first (the ratios stay), and multi-word heads and config names wrap.
        const fitted = fitTable(color, table, { dropOrder: [undefined, undefined, undefined, 5, 3, 4, undefined, 2, undefined, undefined, 6, 1], wraps: head.map(() => true) }, outputWidth(process.stdout, flags.wide));
        process.stdout.write(`${[fitted.table, droppedNote(fitted.dropped)].filter(Boolean).join('\n')}\n`);
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

/**
 * The backends to measure: --backends (a comma list, no repeats) or --backend (one name), not
 * both unless they agree.
 */
function backendList(flags: BenchFlags, command: Command): BackendChoice[] {
  const single = flags.backend;
  const allowed = `a comma list of ${BACKEND_CHOICES.join(', ')}`;
  if (flags.backends === undefined) return [readFlag('--backend', backendChoice, single)];
  const names = flags.backends.split(',').map((name) => name.trim().toLowerCase());
  if (names.some((name) => !(BACKEND_CHOICES as readonly string[]).includes(name))) throw new UsageError(`--backends must be ${allowed} (got '${flags.backends}')`);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated) throw new UsageError(`--backends names ${repeated} twice (got '${flags.backends}')`);
  if (command.getOptionValueSource('backend') === 'cli') throw new UsageError('--backend and --backends cannot be combined; give the backends with --backends');
  return names as BackendChoice[];
}

const backendChoice = caseInsensitiveChoice(BACKEND_CHOICES);

function readBaseline(path: string): BenchmarkEntry[] {
  let text: string;
  try {
    text = readTextCapped(path, 'baseline', `--compare ${path}`);
  } catch (error) {
    rethrowReadProblem(error, `--compare ${path}`);
    throw new UsageError(`--compare ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  return parseBenchmarkEntries(text, `--compare ${path}`);
}
