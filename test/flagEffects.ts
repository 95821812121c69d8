/**
 * What each documented flag of the commands that read stored runs or run grids changes, and the
 * test that proves it (`vgrad run`'s flags: test/flags.test.ts, one test per flag). A row names the
 * command, the flag as `--help` prints it, the observable the flag changes, and the test as
 * `<file stem>: <text of its title>`. test/flagEffects.test.ts fails when a flag in `--help` has no
 * row, when a row names a flag `--help` does not list, or when the named test does not exist.
 */
import { RUN_OPTIONS } from '../src/config/options.js';

export interface FlagEffect {
  command: string;
  flag: string;
  observable: string;
  test: string;
}

const SWEEP_RUN_OPTION = 'flagEffects: every run option given to a sweep reaches each cell';
/** theory's model keys: the flags that change the prediction (src/cli/theory.ts MODEL_KEYS). */
const THEORY_MODEL = ['--depth', '--width', '--layers', '--act', '--alpha', '--init', '--gain', '--data', '--train-size', '--standardize', '--seed', '--bias-std', '--batch-norm'];

export const FLAG_EFFECTS: FlagEffect[] = [
  // sweep: every run option, parsed by the run option table, reaches each cell's record.
  ...RUN_OPTIONS.map((option) => ({
    command: 'sweep',
    flag: option.flag,
    observable:
      option.key === 'out'
        ? 'cells are stored under OUT/sweeps/<name>/'
        : option.key === 'tensorboard'
          ? 'an event file per cell under DIR/<cell id>/'
          : option.key === 'saveWeights'
            ? 'weights-step0/-final.safetensors in each cell, with the recorded weight std'
            : `each cell's record config.${option.key}`,
    test: SWEEP_RUN_OPTION,
  })),
  { command: 'sweep', flag: '--seeds', observable: 'seeds 1..N for every configuration, also with an experiment file', test: 'readback: --seeds 2 gives seeds 1 and 2 to every configuration' },
  { command: 'sweep', flag: '--name', observable: 'the folder OUT/sweeps/<name>', test: SWEEP_RUN_OPTION },
  { command: 'sweep', flag: '--jobs', observable: 'the workers the header line names', test: SWEEP_RUN_OPTION },
  { command: 'sweep', flag: '--force', observable: 'finished cells are run again (newer summary.json)', test: 'sweep: a sweep stores each cell in the run format, the same record as vgrad run, and resumes' },
  { command: 'sweep', flag: '--dry-run', observable: 'the cell list on stdout, nothing written', test: 'sweep: grid: comma lists, integer ranges, init specs with their own commas, layer alternatives; --dry-run writes nothing' },
  { command: 'sweep', flag: '--check', observable: 'held / NOT HELD per expectation, exit 3', test: 'experiments: vgrad sweep --check end to end: a layer expectation, its counterfactual, exit 3' },
  { command: 'sweep', flag: '--shard', observable: 'which cells this process runs', test: 'sweep: shards: each cell in exactly one share (flag, Slurm and Kubernetes variables)' },
  { command: 'sweep', flag: '--shard-count', observable: 'the share from JOB_COMPLETION_INDEX', test: 'sweep: shards: each cell in exactly one share (flag, Slurm and Kubernetes variables)' },
  { command: 'sweep', flag: '--json', observable: 'only summary rows as JSON lines on stdout', test: 'sweep: --json prints only summary rows' },
  { command: 'sweep', flag: '--quiet', observable: 'nothing on stderr', test: SWEEP_RUN_OPTION },
  { command: 'sweep', flag: '--max-cells', observable: 'the largest grid planned; more cells are refused before expansion', test: 'hardenInput: a grid of more cells than --max-cells is refused before it is expanded' },
  { command: 'sweep', flag: '--allow-paths', observable: 'absolute and outside paths in an experiment file are read', test: 'hardenInput: init-from: ../../../../etc/passwd is refused without reading it; --allow-paths reads it' },
  { command: 'sweep', flag: '--help', observable: 'the help text', test: 'flagEffects: every flag in --help has a row' },

  { command: 'merge', flag: '--into', observable: 'the merged folder', test: 'sweep: shards: each cell in exactly one share (flag, Slurm and Kubernetes variables); merged shards equal the unsharded sweep' },
  { command: 'merge', flag: '--out', observable: 'the default --into: OUT/sweeps/<name>', test: 'flagEffects: merge --out puts the merged sweep under OUT/sweeps/<name>; --quiet' },
  { command: 'merge', flag: '--quiet', observable: 'nothing on stderr', test: 'flagEffects: merge --out puts the merged sweep under OUT/sweeps/<name>; --quiet' },
  { command: 'merge', flag: '--help', observable: 'the help text', test: 'flagEffects: every flag in --help has a row' },

  { command: 'compare', flag: '--stat', observable: 'the statistic and its fixed scale in the title', test: 'sweep: --json prints only summary rows; the end table and compare view fit 80 columns' },
  { command: 'compare', flag: '--at', observable: 'step 0 or the last probe point, per column', test: "readback: compare --at end and --at init: each column shows its own record's statistic" },
  { command: 'compare', flag: '--width', observable: 'no line wider; columns wrap into blocks', test: 'flagEffects: compare --width N' },
  { command: 'compare', flag: '--help', observable: 'the help text', test: 'flagEffects: every flag in --help has a row' },

  { command: 'ls', flag: '--json', observable: 'one JSON object per cell or run', test: 'flagEffects: ls --json' },
  { command: 'ls', flag: '--wide', observable: 'the config column whole on a narrow terminal', test: 'terminal: ls on a narrow terminal cuts the config with …, or says it left it out; --wide keeps it whole' },
  { command: 'ls', flag: '--help', observable: 'the help text', test: 'flagEffects: every flag in --help has a row' },

  ...RUN_OPTIONS.filter((option) => option.flag !== '--test-size' && option.flag !== '--init-from').map((option) => ({
    command: 'theory',
    flag: option.flag,
    observable: THEORY_MODEL.includes(option.flag) ? 'the prediction (--json layers, E[x²])' : 'nothing: training only, the prediction is identical',
    test: THEORY_MODEL.includes(option.flag) ? 'flagEffects: each flag that defines the net changes the prediction' : 'flagEffects: the training-only flags leave the prediction identical',
  })),
  { command: 'theory', flag: '--init-from', observable: 'the file is read and checked (one that is not safetensors is refused); the prediction stays the random-weight one', test: 'fileSafety: a file that is not safetensors: the message says so and never echoes its bytes' },
  { command: 'theory', flag: '--test-size', observable: 'refused when train + test exceed the data; the prediction (from the training split) unchanged', test: 'flagEffects: theory --test-size: checked with --train-size against the data' },
  { command: 'theory', flag: '--map', observable: 'the σw² × σb² phase grid instead of the per-layer prediction', test: 'phase: --json: the grid, the phases on either side of the critical line' },
  { command: 'theory', flag: '--sigma-w', observable: 'the map\'s σw² range (--sigma-w2 lo,hi)', test: 'phase: --json: the grid, the phases on either side of the critical line' },
  { command: 'theory', flag: '--sigma-b', observable: 'the map\'s σb² range (--sigma-b2 lo,hi)', test: 'phase: --json: the grid, the phases on either side of the critical line' },
  { command: 'theory', flag: '--grid', observable: 'the map\'s columns × rows', test: 'phase: --json: the grid, the phases on either side of the critical line' },
  { command: 'theory', flag: '--picture', observable: 'the map written as SVG or PNG', test: 'phase: text: one row per σb² with the critical line marked; pictures as SVG and PNG' },
  { command: 'theory', flag: '--json', observable: 'the prediction as JSON', test: 'flagEffects: each flag that defines the net changes the prediction' },
  { command: 'theory', flag: '--wide', observable: 'every column on a narrow terminal', test: 'flagEffects: theory --wide and report --wide on a 60-column terminal' },
  { command: 'theory', flag: '--help', observable: 'the help text', test: 'flagEffects: every flag in --help has a row' },

  { command: 'report', flag: '--out', observable: 'report.html and charts in the folder', test: 'readback: report --format html: the summary table holds each run' },
  { command: 'report', flag: '--format', observable: 'which files are written', test: 'report: a folder of several runs (found recursively)' },
  { command: 'report', flag: '--histogram-steps', observable: 'the probe steps the histograms show', test: 'flagEffects: report --histogram-steps' },
  { command: 'report', flag: '--scale', observable: 'shared or per-panel y-ranges in the depth profile', test: 'reportPictures: shared y-range per statistic: He and Xavier grad var at layer 1' },
  { command: 'report', flag: '--charts', observable: 'which chart files are written', test: 'reportPictures: --charts writes only the charts named' },
  { command: 'report', flag: '--wide', observable: 'the depth profile is not fitted to the terminal', test: 'flagEffects: theory --wide and report --wide on a 60-column terminal' },
  { command: 'report', flag: '--help', observable: 'the help text', test: 'flagEffects: every flag in --help has a row' },

  { command: 'tensorboard', flag: '--logdir', observable: 'where the event folders go', test: 'readback: tensorboard --logdir: tags, steps, scalar values and histogram edges and counts' },
  { command: 'tensorboard', flag: '--out', observable: 'the root a bare run id is looked up in', test: 'flagEffects: a bare run id is looked up under --out' },
  { command: 'tensorboard', flag: '--help', observable: 'the help text', test: 'flagEffects: every flag in --help has a row' },

  { command: 'export csv', flag: '--out', observable: 'the root a bare run id is looked up in', test: 'flagEffects: a bare run id is looked up under --out' },
  { command: 'export csv', flag: '--raw-csv', observable: "text cells starting with =, +, -, @ written without the leading '", test: "hardenInput: CSV: text cells starting with =, +, -, @ get a leading '" },
  { command: 'export csv', flag: '--help', observable: 'the help text', test: 'flagEffects: every flag in --help has a row' },
  { command: 'export probe-batch', flag: '--out', observable: 'the safetensors file written', test: 'interop: export probe-batch: the first probeSize test rows' },
  { command: 'export probe-batch', flag: '--root', observable: 'the root a bare run id is looked up in', test: 'flagEffects: a bare run id is looked up under --out' },
  { command: 'export probe-batch', flag: '--help', observable: 'the help text', test: 'flagEffects: every flag in --help has a row' },
];
