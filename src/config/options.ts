/**
 * The one table of `vgrad run`'s options. Each entry is the whole definition of one setting: its
 * key, flag, value name, help, default and the reader that turns what the user typed into its value. The
 * commander options, the raw flag type, DEFAULTS and the parsed option types are all derived from
 * it, so a new setting is one entry (plus its use).
 *
 * Commander gets no defaults: an absent flag stays undefined, so "the user gave --depth" can be
 * told apart from "--depth is 2 by default". Defaults are applied afterwards, in readRunOptions.
 */
import { type Command, Option } from 'commander';
import { BACKEND_CHOICES } from '../backend/choices.js';
import { DATA_SOURCE_SYNTAX, DATA_SOURCES, dataSourceSyntax, parseDataSource } from '../data/sources.js';
import { ACTIVATION, ACTIVATIONS, activationsWhere } from '../model/activations.js';
import { INIT_HELP_NAMES, INITIALIZERS } from '../model/initializers.js';
import { OPTIMIZER, OPTIMIZERS } from './optimizers.js';
import { caseInsensitiveChoice, decimalInteger, decimalIntegerList, decimalNumber, type FlagReader, FlagValueError, nonEmptyText, readFlag } from '../util/decimal.js';

export { OPTIMIZERS, type OptimizerName } from './optimizers.js';

/**
 * Deeper nets never fit in memory anyway (the memory check refuses them with its estimate); the
 * bound keeps the parser from building a layer list of billions of entries first.
 */
export const MAX_DEPTH = 1_000_000;

/** Rows of the probe batch when --probe-size is not given (fewer when the test split is smaller). */
export const PROBE_SIZE = 512;

/** Units of the first hidden layer when the widths come from --depth/--width. */
export const FIRST_WIDTH = 300;

/**
 * What kind of value a flag takes: sweeps read this to split comma lists per option ('list'
 * values are themselves comma lists; 'boolean' flags take no value).
 */
export type OptionKind = 'int' | 'number' | 'enum' | 'string' | 'boolean' | 'list';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyReader = FlagReader<any, unknown>;

export interface RunOptionSpec<K extends string = string, R extends AnyReader = AnyReader, D = unknown> {
  /** The RunConfig field (and commander's attribute name for the flag). */
  key: K;
  flag: `--${string}`;
  /** Shown as `--flag <valueName>`; absent for a boolean switch. */
  valueName?: string;
  kind: OptionKind;
  /** The allowed names of an 'enum' option, matched case-insensitively. */
  choices?: readonly string[];
  help: string;
  /** Used when the flag is absent; null means "not set" (the option then has a derived value). */
  default: D;
  /** Reads the flag's raw value (a string, or true for a switch) into its typed value. */
  read: R;
}

function option<const K extends string, R extends AnyReader, const D extends ReturnType<R> | null>(spec: RunOptionSpec<K, R, D>): RunOptionSpec<K, R, D> {
  return spec;
}

const anyText: FlagReader<string, string> = (text) => text;
const aSwitch: FlagReader<boolean, boolean> = (on) => on;

const positive = () => decimalNumber('a number > 0', (value) => value > 0);

/** "mnist (embedded 10k digits), gaussian, or idx:DIR (MNIST/Fashion-MNIST IDX files)". */
function dataSourcesHelp(): string {
  const each = DATA_SOURCES.map((source) => `${dataSourceSyntax(source)}${source.help ? ` (${source.help})` : ''}`);
  return each.length <= 1 ? each.join('') : `${each.slice(0, -1).join(', ')}, or ${each[each.length - 1]}`;
}

/** "mnist, gaussian: 8000; idx: all": each source's default size of one split, sources with the same one together. */
function defaultSizesHelp(split: 'train' | 'test'): string {
  const byDefault = new Map<string, string[]>();
  for (const source of DATA_SOURCES) {
    const size = source.defaultSizes === 'all' ? 'all' : String(source.defaultSizes[split]);
    byDefault.set(size, [...(byDefault.get(size) ?? []), source.name]);
  }
  return [...byDefault].map(([size, names]) => `${names.join(', ')}: ${size}`).join('; ');
}

export const RUN_OPTIONS = [
  option({ key: 'depth', flag: '--depth', valueName: 'n', kind: 'int', help: `hidden layers (first ${FIRST_WIDTH} units, the rest --width)`, default: 2, read: decimalInteger(1, MAX_DEPTH) }),
  option({ key: 'width', flag: '--width', valueName: 'n', kind: 'int', help: 'units in hidden layers 2..depth', default: 100, read: decimalInteger(1) }),
  option({
    key: 'layers',
    flag: '--layers',
    valueName: 'list',
    kind: 'list',
    help: 'hidden layer widths, e.g. 300,100,100 (instead of --depth/--width)',
    default: null,
    read: decimalIntegerList(1, '300,100,100'),
  }),
  option({
    key: 'act',
    flag: '--act',
    valueName: 'name',
    kind: 'enum',
    choices: ACTIVATIONS,
    help: `activation: ${ACTIVATIONS.map((name) => (ACTIVATION[name].help ? `${name} (${ACTIVATION[name].help})` : name)).join(', ')}`,
    default: 'relu',
    read: caseInsensitiveChoice(ACTIVATIONS),
  }),
  option({
    key: 'alpha',
    flag: '--alpha',
    valueName: 'x',
    kind: 'number',
    help: `${activationsWhere((facts) => facts.usesAlpha).join(', ')} negative slope`,
    default: 0.01,
    read: decimalNumber('a number ≥ 0', (value) => value >= 0),
  }),
  option({
    key: 'init',
    flag: '--init',
    valueName: 'name',
    kind: 'string',
    help: `initializer (see 'vgrad inits'): ${INIT_HELP_NAMES.join(', ')}`,
    default: 'he',
    read: anyText,
  }),
  option({
    key: 'gain',
    flag: '--gain',
    valueName: 'x',
    kind: 'number',
    help: `gain of the ${INITIALIZERS.flatMap((entry) => (entry.form === 'fixed' && entry.usesGain ? [entry.name] : [])).join(', ')} initializer`,
    default: 1,
    read: positive(),
  }),
  option({
    key: 'biasStd',
    flag: '--bias-std',
    valueName: 's',
    kind: 'number',
    help: 'biases drawn from N(0, s²) at initialization (σb² = s² in theory); 0 starts them at zero',
    default: 0,
    read: decimalNumber('a number ≥ 0', (value) => value >= 0 && Number.isFinite(value)),
  }),
  option({ key: 'optimizer', flag: '--optimizer', valueName: 'name', kind: 'enum', choices: OPTIMIZERS, help: OPTIMIZERS.join(', '), default: 'sgd', read: caseInsensitiveChoice(OPTIMIZERS) }),
  option({ key: 'lr', flag: '--lr', valueName: 'x', kind: 'number', help: 'learning rate', default: 0.05, read: positive() }),
  option({
    key: 'momentum',
    flag: '--momentum',
    valueName: 'x',
    kind: 'number',
    help: `momentum coefficient for --optimizer ${OPTIMIZERS.filter((name) => OPTIMIZER[name].usesMomentum).join(', ')}`,
    default: 0.9,
    read: decimalNumber('a number in [0, 1)', (value) => value >= 0 && value < 1),
  }),
  option({
    key: 'clipNorm',
    flag: '--clip-norm',
    valueName: 'C',
    kind: 'number',
    help: 'gradient clipping by global norm: when ‖g‖ over every parameter exceeds C, scale g by C/‖g‖ before the update',
    default: null,
    read: positive(),
  }),
  option({
    key: 'clipValue',
    flag: '--clip-value',
    valueName: 'V',
    kind: 'number',
    help: 'gradient clipping by value: clamp every gradient entry to [−V, V] before the update (before --clip-norm when both are given)',
    default: null,
    read: positive(),
  }),
  option({ key: 'batch', flag: '--batch', valueName: 'n', kind: 'int', help: 'minibatch size', default: 64, read: decimalInteger(1) }),
  option({ key: 'steps', flag: '--steps', valueName: 'n', kind: 'int', help: 'training steps; 0 measures the net at initialization only', default: 250, read: decimalInteger(0) }),
  option({ key: 'epochs', flag: '--epochs', valueName: 'x', kind: 'number', help: 'train for this many passes over the training split instead of --steps', default: null, read: positive() }),
  option({ key: 'seed', flag: '--seed', valueName: 'n', kind: 'int', help: 'seed for initialization, data split and shuffling', default: 42, read: decimalInteger(0) }),
  option({
    key: 'data',
    flag: '--data',
    valueName: 'source',
    kind: 'string',
    help: dataSourcesHelp(),
    default: 'mnist',
    read: (text: string) => {
      const named = parseDataSource(text);
      if (named === undefined) throw new FlagValueError(`is not a data source; allowed: ${DATA_SOURCE_SYNTAX.join(', ')}`, undefined, true);
      return named.canonical;
    },
  }),
  option({
    key: 'trainSize',
    flag: '--train-size',
    valueName: 'n',
    kind: 'int',
    help: `training samples (${defaultSizesHelp('train')}), stratified`,
    default: null,
    read: decimalInteger(1),
  }),
  option({
    key: 'testSize',
    flag: '--test-size',
    valueName: 'n',
    kind: 'int',
    help: `test samples (${defaultSizesHelp('test')}), stratified`,
    default: null,
    read: decimalInteger(1),
  }),
  option({
    key: 'batchNorm',
    flag: '--batch-norm',
    kind: 'boolean',
    help: 'batch normalization after each hidden pre-activation, before φ (learned scale γ = 1 and shift β = 0 at init; running statistics for evaluation)',
    default: false,
    read: aSwitch,
  }),
  option({
    key: 'bnMomentum',
    flag: '--bn-momentum',
    valueName: 'x',
    kind: 'number',
    help: "with --batch-norm: running statistic ← (1 − x)·running + x·batch, PyTorch's convention (Keras's momentum is 1 − x)",
    default: 0.1,
    read: decimalNumber('a number in [0, 1]', (value) => value >= 0 && value <= 1),
  }),
  option({
    key: 'bnEps',
    flag: '--bn-eps',
    valueName: 'x',
    kind: 'number',
    help: 'with --batch-norm: ε added to the batch variance before its square root',
    default: 1e-5,
    read: positive(),
  }),
  option({ key: 'standardize', flag: '--standardize', kind: 'boolean', help: 'standardize each pixel with the training split mean and std', default: false, read: aSwitch }),
  option({
    key: 'probeSize',
    flag: '--probe-size',
    valueName: 'n',
    kind: 'int',
    help: `held-out samples in the fixed probe batch (default ${PROBE_SIZE}, or the whole test split if smaller; more than the test split is refused)`,
    default: null,
    read: decimalInteger(1),
  }),
  option({ key: 'logEvery', flag: '--log-every', valueName: 'k', kind: 'int', help: 'probe every K steps (and at step 0 and the end)', default: 100, read: decimalInteger(1) }),
  option({
    key: 'backend',
    flag: '--backend',
    valueName: 'name',
    kind: 'enum',
    choices: BACKEND_CHOICES,
    help: BACKEND_CHOICES.join(', '),
    default: 'auto',
    read: caseInsensitiveChoice(BACKEND_CHOICES),
  }),
  option({
    key: 'threads',
    flag: '--threads',
    valueName: 'n',
    kind: 'int',
    help: "compute threads of the native backend (TensorFlow's intra- and inter-op pools; default: TensorFlow's, one per core); wasm and cpu run 1 and refuse more",
    default: null,
    read: decimalInteger(1),
  }),
  option({
    key: 'saveWeights',
    flag: '--save-weights',
    valueName: 'when',
    kind: 'list',
    help: 'write the weights as safetensors in the run folder: init (weights-step0.safetensors), final (weights-final.safetensors), or init,final',
    default: null,
    read: (text: string) => {
      const picks = text.split(',').map((part) => part.trim().toLowerCase());
      const bad = picks.find((part) => part !== 'init' && part !== 'final');
      if (bad !== undefined) throw new FlagValueError(`has '${bad}'; allowed: init, final, or init,final`);
      return [...new Set(picks)].sort().reverse() as ('init' | 'final')[];
    },
  }),
  option({
    key: 'initFrom',
    flag: '--init-from',
    valueName: 'file',
    kind: 'string',
    help: 'start from the weights in a safetensors file (layers.N.weight out×in, layers.N.bias), e.g. a run\'s weights-step0.safetensors, instead of --init',
    default: null,
    read: nonEmptyText('must be a file path'),
  }),
  option({
    key: 'tensorboard',
    flag: '--tensorboard',
    valueName: 'dir',
    kind: 'string',
    help: 'also write a TensorBoard event file to DIR/<run-id>/ (probe statistics, loss, accuracy, config, hparams)',
    default: null,
    read: nonEmptyText('must be a folder path'),
  }),
  option({ key: 'out', flag: '--out', valueName: 'dir', kind: 'string', help: 'root folder for stored runs', default: 'results', read: nonEmptyText('must be a folder path') }),
] as const;

type Entry = (typeof RUN_OPTIONS)[number];
export type RunOptionKey = Entry['key'];

/** Raw flag values as commander hands them over: strings, true for a switch, or absent. */
export type RawRunOptions = { [E in Entry as E['key']]?: Parameters<E['read']>[0] };

/** Every option with its typed value; null where an option is unset (it is then derived). */
export type RunOptionValues = { [E in Entry as E['key']]: ReturnType<E['read']> | E['default'] };

/** The values `vgrad run` uses when a flag is absent (derived from the table), FIRST_WIDTH and PROBE_SIZE. */
export const DEFAULTS = {
  ...(Object.fromEntries(RUN_OPTIONS.map((entry) => [entry.key, entry.default])) as { [E in Entry as E['key']]: E['default'] }),
  firstWidth: FIRST_WIDTH,
  probeSize: PROBE_SIZE,
} as const;

export function runOptionSpec(key: RunOptionKey): Entry {
  return RUN_OPTIONS.find((entry) => entry.key === key)!;
}

/** The help line's default, e.g. "(default 2)"; nothing for unset or switch-off defaults. */
function defaultNote(entry: Entry): string {
  return entry.default === null || entry.default === false ? '' : ` (default ${String(entry.default)})`;
}

/**
 * Declares every run option on `cmd`, without commander defaults. `describe` may reword an entry's
 * help (a sweep saying "comma list of values"); it gets the entry and the standard help line.
 */
export function addRunOptions(cmd: Command, describe?: (entry: Entry, help: string) => string): Command {
  for (const entry of RUN_OPTIONS) {
    const help = `${entry.help}${defaultNote(entry)}`;
    const declared = new Option(entry.valueName === undefined ? entry.flag : `${entry.flag} <${entry.valueName}>`, describe ? describe(entry, help) : help);
    // The table's key must be what commander stores the flag under.
    if (declared.attributeName() !== entry.key) throw new Error(`option table: ${entry.flag} is stored as ${declared.attributeName()}, not ${entry.key}`);
    cmd.addOption(declared);
  }
  return cmd;
}

/**
 * Reads each option's raw value with its reader and applies the defaults to the absent ones.
 * Returns the values and the keys the user gave. Throws a one-line UsageError naming the flag.
 */
export function readRunOptions(raw: RawRunOptions): { values: RunOptionValues; given: Set<RunOptionKey> } {
  const values: Record<string, unknown> = {};
  const given = new Set<RunOptionKey>();
  const rawByKey = raw as Record<string, unknown>;
  for (const entry of RUN_OPTIONS) {
    const text = rawByKey[entry.key];
    if (text === undefined) {
      values[entry.key] = entry.default;
      continue;
    }
    values[entry.key] = readFlag(entry.flag, entry.read as AnyReader, text);
    given.add(entry.key);
  }
  return { values: values as RunOptionValues, given };
}
