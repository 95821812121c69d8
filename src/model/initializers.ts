/**
 * Weight initializers as pure formulas, in the manner of the Keras / TF.js initializer modules: one
 * entry per scheme that says everything about it (name, aliases, distribution, formula, what it is
 * meant for, a note, who published it), and registered parsers for the parametric forms. The names
 * `--init` accepts, its help, the error that lists them and `vgrad inits` are all derived from them.
 *
 * Each scheme maps (fanIn, fanOut) to a distribution with exactly the variance its formula states.
 * Sampling is in sampleWeights.ts. TF.js's own *Normal initializers are not used: they draw a
 * truncated normal without the 1/0.8796 correction and come out ~12% too narrow.
 */
import { UsageError } from '../util/errors.js';
import { readDecimalNumber } from '../util/decimal.js';
import { ACTIVATION, type ActivationName, activationsWhere, type BookRow } from './activations.js';

export type WeightDistribution =
  | { kind: 'normal'; std: number }
  /** Re-drawn beyond ±2σ; `std` is the realised std (the sampler widens the draw to get it). */
  | { kind: 'truncated-normal'; std: number }
  | { kind: 'uniform'; limit: number }
  /** Orthonormal rows or columns times `gain` (Saxe et al. 2014). */
  | { kind: 'orthogonal'; gain: number };

export interface InitContext {
  act: ActivationName;
  gain: number;
}

export interface Initializer {
  /** The canonical name, as the user may type it. */
  name: string;
  distribution(fanIn: number, fanOut: number, context: InitContext): WeightDistribution;
}

export type FanMode = 'fan_in' | 'fan_out' | 'fan_avg';
export type VsDistribution = 'normal' | 'uniform' | 'truncated';

function fan(mode: FanMode, fanIn: number, fanOut: number): number {
  if (mode === 'fan_in') return fanIn;
  if (mode === 'fan_out') return fanOut;
  return (fanIn + fanOut) / 2;
}

/** Var(W) = scale / n, as a normal, uniform or truncated normal draw. */
export function varianceScaling(scale: number, mode: FanMode, dist: VsDistribution) {
  return (fanIn: number, fanOut: number): WeightDistribution => {
    const variance = scale / fan(mode, fanIn, fanOut);
    if (dist === 'uniform') return { kind: 'uniform', limit: Math.sqrt(3 * variance) };
    if (dist === 'truncated') return { kind: 'truncated-normal', std: Math.sqrt(variance) };
    return { kind: 'normal', std: Math.sqrt(variance) };
  };
}

/** The realised standard deviation of a distribution for a fanIn × fanOut weight matrix. */
export function distributionStd(dist: WeightDistribution, fanIn: number, fanOut: number): number {
  switch (dist.kind) {
    case 'normal':
    case 'truncated-normal':
      return dist.std;
    case 'uniform':
      return dist.limit / Math.sqrt(3);
    case 'orthogonal':
      // fanIn × fanOut with orthonormal columns (or rows): sum of squares min(fanIn, fanOut).
      return dist.gain / Math.sqrt(Math.max(fanIn, fanOut));
  }
}

/**
 * The book's Table 11-1 (Géron, Hands-On Machine Learning, 1st ed., ch. 11) as printed, row by row:
 * its factor on the fan-average value (4 on the tanh row, where the Theano tutorial and Bengio 2012
 * put it on the logistic row), and the published value each row stands for, with who published it.
 */
export const BOOK_TABLE: Record<BookRow, { label: string; factor: number; published: { limit(fanIn: number, fanOut: number): number; by: string } }> = {
  logistic: {
    label: 'logistic',
    factor: 1,
    published: { limit: (fanIn, fanOut) => 4 * Math.sqrt(6 / (fanIn + fanOut)), by: 'Theano tutorial, Bengio 2012: ×4 (--init xavier-logistic)' },
  },
  tanh: { label: 'tanh', factor: 4, published: { limit: (fanIn, fanOut) => Math.sqrt(6 / (fanIn + fanOut)), by: 'Glorot & Bengio 2010, eq. 16 (--init xavier)' } },
  relu: { label: 'ReLU and its variants', factor: Math.SQRT2, published: { limit: (fanIn) => Math.sqrt(6 / fanIn), by: 'He et al. 2015, eq. 10: Var = 2/n_in (--init he)' } },
};

/** "sigmoid (logistic), tanh, and relu, leaky-relu, elu (ReLU and its variants)": the activations each row covers. */
function bookRowsInWords(): string {
  const rows = (Object.keys(BOOK_TABLE) as BookRow[]).map((row) => {
    const names = activationsWhere((facts) => facts.bookRow === row).join(', ');
    return names === BOOK_TABLE[row].label ? names : `${names} (${BOOK_TABLE[row].label})`;
  });
  return rows.length <= 1 ? rows.join('') : `${rows.slice(0, -1).join(', ')}, and ${rows[rows.length - 1]}`;
}

function bookDistribution(uniform: boolean) {
  return (fanIn: number, fanOut: number, context: InitContext): WeightDistribution => {
    const row = ACTIVATION[context.act].bookRow;
    if (row === null) {
      throw new UsageError(`--init book: the book's Table 11-1 has no row for --act ${context.act}; it covers ${bookRowsInWords()}`);
    }
    const rowFactor = BOOK_TABLE[row].factor;
    const fanSum = fanIn + fanOut;
    return uniform
      ? { kind: 'uniform', limit: rowFactor * Math.sqrt(6 / fanSum) }
      : { kind: 'normal', std: rowFactor * Math.sqrt(2 / fanSum) };
  };
}

function scheme(name: string, distribution: Initializer['distribution']): Initializer {
  return { name, distribution };
}

/** What every scheme, fixed or parametric, says about itself. */
interface SchemeFacts {
  /** σ (normal) or r (uniform) as a formula. */
  formula: string;
  /** The activations it is meant for (or why none), as `vgrad inits` lists it. */
  meantFor: string;
  /** `vgrad inits`' note. */
  note?: string;
  /** Who published it. */
  citation: string;
}

/** A scheme with a fixed name. */
export interface InitEntry extends SchemeFacts {
  form: 'fixed';
  /** The canonical name, as the user may type it. */
  name: string;
  /** Other names for it (case-insensitive, as the name). */
  aliases: readonly string[];
  distribution: Initializer['distribution'];
  /** The normal scheme whose variance this one draws uniformly (the `-uniform` twin): --init's help lists only the first. */
  uniformOf?: string;
  /** Reads --gain (reports say its value beside the name). */
  usesGain: boolean;
  /** Its distribution depends on --act: `vgrad inits` shows it per activation, in the book's table. */
  perActivation: boolean;
}

/** A parametric form: `prefix` and settings, read by its own parser. */
export interface InitParser extends SchemeFacts {
  form: 'parametric';
  prefix: string;
  /** The whole syntax, as the error for an unknown name lists it. */
  syntax: string;
  /** The syntax in short, for --init's help. */
  shortSyntax: string;
  /** The instance `vgrad inits` lists (meantFor and note are about it). */
  example: string;
  /** `lowered` is the trimmed, lower-case text (it starts with `prefix`); `text` what the user typed. */
  parse(lowered: string, text: string): Initializer;
}

/** Same strict decimal syntax as every numeric flag: Number() would take '0x1' or ' 1 ' too. */
function positiveNumber(text: string, what: string): number {
  const value = readDecimalNumber(text);
  if (value === undefined || value <= 0) {
    throw new UsageError(`--init ${what}: '${text}' is not a positive decimal number (e.g. 0.05 or 5e-2)`);
  }
  return value;
}

function parseVarianceScaling(spec: string): Initializer {
  const settings = { scale: 1, mode: 'fan_in' as FanMode, dist: 'normal' as VsDistribution };
  const body = spec.slice('vs:'.length);
  if (body.trim() === '') {
    throw new UsageError(`--init '${spec}': give settings, e.g. vs:scale=2,mode=fan_in,dist=normal`);
  }
  for (const part of body.split(',')) {
    const [key, value, ...rest] = part.split('=');
    if (value === undefined || rest.length > 0) {
      throw new UsageError(`--init '${spec}': '${part}' is not key=value; keys are scale, mode, dist`);
    }
    if (key === 'scale') settings.scale = positiveNumber(value, `'${spec}' scale`);
    else if (key === 'mode') {
      if (value !== 'fan_in' && value !== 'fan_out' && value !== 'fan_avg') {
        throw new UsageError(`--init '${spec}': mode '${value}' is not allowed; allowed: fan_in, fan_out, fan_avg`);
      }
      settings.mode = value;
    } else if (key === 'dist') {
      if (value !== 'normal' && value !== 'uniform' && value !== 'truncated') {
        throw new UsageError(`--init '${spec}': dist '${value}' is not allowed; allowed: normal, uniform, truncated`);
      }
      settings.dist = value;
    } else {
      throw new UsageError(`--init '${spec}': unknown key '${key}'; keys are scale, mode, dist`);
    }
  }
  const name = `vs:scale=${settings.scale},mode=${settings.mode},dist=${settings.dist}`;
  return scheme(name, varianceScaling(settings.scale, settings.mode, settings.dist));
}

type FixedFacts = Omit<InitEntry, 'form' | 'name' | 'distribution' | 'aliases' | 'usesGain' | 'perActivation'> & Partial<Pick<InitEntry, 'aliases' | 'usesGain' | 'perActivation'>>;

function fixed(name: string, distribution: Initializer['distribution'], facts: FixedFacts): InitEntry {
  return { form: 'fixed', name, distribution, aliases: [], usesGain: false, perActivation: false, ...facts };
}

const GLOROT = 'Glorot & Bengio 2010, eq. 16';
/** The ×4 for the logistic is not in Glorot & Bengio 2010: the Theano tutorial's MLP page and Bengio 2012 give it. */
const LOGISTIC_X4 = 'Theano deep-learning tutorial (MLP); Bengio 2012';
const HE = 'He et al. 2015, eq. 10';
/** Fixed small stds fail beyond about 8 layers: He et al. 2015, Sec. 2.2. */
const SMALL = 'He et al. 2015, Sec. 2.2';
const LECUN = 'LeCun et al. 1998, "Efficient BackProp", Sec. 4.6; Klambauer et al. 2017 for SELU';
const BOOK = "the book (Géron, 1st ed., ch. 11), Table 11-1 as printed";

/**
 * Every scheme, in the order `vgrad inits` lists them. Names follow one rule: the bare name draws a
 * normal, `-uniform` the uniform of the same variance.
 */
export const INITIALIZERS: readonly (InitEntry | InitParser)[] = [
  fixed('normal1', () => ({ kind: 'normal', std: 1 }), {
    formula: 'σ = 1',
    meantFor: 'nothing',
    note: 'N(0,1): the pre-2010 practice that fails with the logistic',
    citation: 'the book (Géron, ch. 11)',
  }),
  fixed('standard', (fanIn) => ({ kind: 'uniform', limit: 1 / Math.sqrt(fanIn) }), {
    formula: 'r = 1/√fan_in',
    meantFor: 'nothing',
    note: 'U[±1/√fan_in]: the heuristic Glorot & Bengio (eq. 1) showed fails',
    citation: 'Glorot & Bengio 2010, eq. 1 (the heuristic they test)',
  }),
  {
    form: 'parametric',
    prefix: 'normal:',
    syntax: 'normal:STD',
    shortSyntax: 'normal:STD',
    example: 'normal:0.01',
    formula: 'σ = STD',
    meantFor: 'shallow nets',
    note: 'small random numbers: fails beyond ~8 layers (He et al. 2015, Sec. 2.2)',
    citation: SMALL,
    parse: (lowered, text) => {
      const std = positiveNumber(lowered.slice('normal:'.length), `'${text}'`);
      return scheme(`normal:${std}`, () => ({ kind: 'normal', std }));
    },
  },
  {
    form: 'parametric',
    prefix: 'uniform:',
    syntax: 'uniform:LIMIT',
    shortSyntax: 'uniform:R',
    example: 'uniform:0.05',
    formula: 'r = LIMIT',
    meantFor: 'shallow nets',
    note: 'small random numbers',
    citation: SMALL,
    parse: (lowered, text) => {
      const limit = positiveNumber(lowered.slice('uniform:'.length), `'${text}'`);
      return scheme(`uniform:${limit}`, () => ({ kind: 'uniform', limit }));
    },
  },
  fixed('xavier', varianceScaling(1, 'fan_avg', 'normal'), {
    aliases: ['glorot'],
    formula: 'σ = √(2/(fan_in+fan_out))',
    meantFor: 'none, tanh, softsign, softmax',
    note: 'alias glorot; Var = 2/(fan_in+fan_out); for sigmoid see xavier-logistic',
    citation: GLOROT,
  }),
  fixed('xavier-uniform', varianceScaling(1, 'fan_avg', 'uniform'), {
    aliases: ['glorot-uniform'],
    uniformOf: 'xavier',
    formula: 'r = √(6/(fan_in+fan_out))',
    meantFor: 'none, tanh, softsign, softmax',
    citation: GLOROT,
  }),
  // The normalized init for the logistic: 4 × Xavier, because σ'(0) = 1/4.
  fixed('xavier-logistic', varianceScaling(16, 'fan_avg', 'normal'), {
    formula: 'σ = 4·√(2/(fan_in+fan_out))',
    meantFor: 'sigmoid (shallow)',
    note: "σ = 4·√(2/(fan_in+fan_out)), the Theano tutorial's ×4; deep sigmoid nets still vanish",
    citation: LOGISTIC_X4,
  }),
  fixed('xavier-logistic-uniform', varianceScaling(16, 'fan_avg', 'uniform'), {
    uniformOf: 'xavier-logistic',
    formula: 'r = 4·√(6/(fan_in+fan_out))',
    meantFor: 'sigmoid (shallow)',
    note: 'r = 4·√(6/(fan_in+fan_out)), as the Theano tutorial gives it',
    citation: LOGISTIC_X4,
  }),
  fixed('he', varianceScaling(2, 'fan_in', 'normal'), { formula: 'σ = √(2/fan_in)', meantFor: 'relu, leaky-relu, elu', note: 'Var = 2/fan_in', citation: HE }),
  fixed('he-uniform', varianceScaling(2, 'fan_in', 'uniform'), { uniformOf: 'he', formula: 'r = √(6/fan_in)', meantFor: 'relu, leaky-relu, elu', citation: HE }),
  fixed('lecun', varianceScaling(1, 'fan_in', 'normal'), { formula: 'σ = √(1/fan_in)', meantFor: 'selu', note: 'Var = 1/fan_in', citation: LECUN }),
  fixed('lecun-uniform', varianceScaling(1, 'fan_in', 'uniform'), { uniformOf: 'lecun', formula: 'r = √(3/fan_in)', meantFor: 'selu', citation: LECUN }),
  fixed('orthogonal', (_fanIn, _fanOut, context) => ({ kind: 'orthogonal', gain: context.gain }), {
    usesGain: true,
    formula: 'σ = gain/√max(fan_in, fan_out)',
    meantFor: 'linear, tanh (with --gain)',
    note: 'std = gain/√max(fan_in, fan_out)',
    citation: 'Saxe et al. 2014',
  }),
  fixed('book', bookDistribution(false), {
    perActivation: true,
    formula: 'σ = f·√(2/(fan_in+fan_out)), f = 1 (logistic), 4 (tanh), √2 (ReLU)',
    meantFor: "the book's row for --act",
    note: "the book's Table 11-1 as printed, error included",
    citation: BOOK,
  }),
  fixed('book-uniform', bookDistribution(true), {
    perActivation: true,
    uniformOf: 'book',
    formula: 'r = f·√(6/(fan_in+fan_out)), f = 1 (logistic), 4 (tanh), √2 (ReLU)',
    meantFor: "the book's row for --act",
    note: "the book's Table 11-1 as printed, error included",
    citation: BOOK,
  }),
  {
    form: 'parametric',
    prefix: 'vs:',
    syntax: 'vs:scale=S,mode=fan_in|fan_out|fan_avg,dist=normal|uniform|truncated',
    shortSyntax: 'vs:…',
    example: 'vs:scale=2,mode=fan_avg,dist=uniform',
    formula: 'Var = S/n, n = fan_in, fan_out or (fan_in+fan_out)/2',
    meantFor: 'any',
    note: 'variance scaling: Var = scale/n',
    citation: 'variance scaling, as in Keras / TensorFlow',
    parse: (lowered) => parseVarianceScaling(lowered),
  },
];

const FIXED = INITIALIZERS.filter((entry): entry is InitEntry => entry.form === 'fixed');
const PARSERS = INITIALIZERS.filter((entry): entry is InitParser => entry.form === 'parametric');
/** Canonical names and aliases, each to its entry. */
const BY_NAME = new Map(FIXED.flatMap((entry) => [entry.name, ...entry.aliases].map((name) => [name, entry] as const)));

/** What the user may type, for error messages: the names, the aliases, the parametric syntaxes. */
export const INIT_NAMES = [...FIXED.map((entry) => entry.name), ...FIXED.flatMap((entry) => entry.aliases), ...PARSERS.map((parser) => parser.syntax)];

/** --init's help list: the fixed names without their `-uniform` twins, then the parametric forms in short. */
export const INIT_HELP_NAMES = [...FIXED.filter((entry) => entry.uniformOf === undefined).map((entry) => entry.name), ...PARSERS.map((parser) => parser.shortSyntax)];

const ALLOWED_INITS = `allowed: ${INIT_NAMES.join(', ')}`;

/** The entry of a fixed scheme by its name or an alias (as a stored config holds it), or undefined. */
export function initEntry(name: string): InitEntry | undefined {
  return BY_NAME.get(name.trim().toLowerCase());
}

/** Resolves what the user typed to an initializer, or throws a UsageError naming what is allowed. */
export function parseInit(text: string): Initializer {
  const lowered = text.trim().toLowerCase();
  const known = BY_NAME.get(lowered);
  if (known) return { name: known.name, distribution: known.distribution };
  const parser = PARSERS.find((candidate) => lowered.startsWith(candidate.prefix));
  if (parser) return parser.parse(lowered, text);
  throw new UsageError(`--init '${text}' is not an initializer; ${ALLOWED_INITS}`);
}

/** The schemes `vgrad inits` lists, in order: each fixed one that does not depend on --act, and each parametric form's example. */
export const INIT_CATALOGUE: ({ name: string } & SchemeFacts)[] = INITIALIZERS.filter((entry) => entry.form === 'parametric' || !entry.perActivation).map((entry) => ({
  name: entry.form === 'fixed' ? entry.name : entry.example,
  formula: entry.formula,
  meantFor: entry.meantFor,
  note: entry.note,
  citation: entry.citation,
}));
