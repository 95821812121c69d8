/**
 * Weight initializers as pure formulas, in the manner of the Keras / TF.js initializer modules:
 * one small definition per scheme, and a registry keyed by the names users type.
 *
 * Each scheme maps (fanIn, fanOut) to a distribution with exactly the variance its formula states.
 * Sampling is in sampleWeights.ts. TF.js's own *Normal initializers are not used: they draw a
 * truncated normal without the 1/0.8796 correction and come out ~12% too narrow.
 */
import { UsageError } from '../util/errors.js';
import { readDecimalNumber } from '../util/decimal.js';
import { ACTIVATION, type ActivationName } from './activations.js';

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
 * The book's Table 11-1 (Géron, Hands-On Machine Learning, 1st ed., ch. 11) as printed, factor 4 on
 * the tanh row included (Glorot & Bengio put it on the logistic row).
 */
function bookDistribution(uniform: boolean) {
  return (fanIn: number, fanOut: number, context: InitContext): WeightDistribution => {
    const row = ACTIVATION[context.act].bookRow;
    if (row === null) {
      throw new UsageError(
        `--init book: the book's Table 11-1 has no row for --act ${context.act}; it covers sigmoid (logistic), tanh, and relu, leaky-relu, elu (ReLU and its variants)`,
      );
    }
    const rowFactor = row === 'tanh' ? 4 : row === 'relu' ? Math.SQRT2 : 1;
    const fanSum = fanIn + fanOut;
    return uniform
      ? { kind: 'uniform', limit: rowFactor * Math.sqrt(6 / fanSum) }
      : { kind: 'normal', std: rowFactor * Math.sqrt(2 / fanSum) };
  };
}

function scheme(name: string, distribution: Initializer['distribution']): Initializer {
  return { name, distribution };
}

/** Fixed-name schemes. Parametric ones (normal:S, uniform:S, vs:...) are parsed by parseInit. */
const REGISTRY: Record<string, Initializer> = {
  normal1: scheme('normal1', () => ({ kind: 'normal', std: 1 })),
  standard: scheme('standard', (fanIn) => ({ kind: 'uniform', limit: 1 / Math.sqrt(fanIn) })),
  xavier: scheme('xavier', varianceScaling(1, 'fan_avg', 'normal')),
  'xavier-uniform': scheme('xavier-uniform', varianceScaling(1, 'fan_avg', 'uniform')),
  // Glorot & Bengio's normalized init for the logistic: 4 × Xavier, because σ'(0) = 1/4. Named like
  // the rest: the bare name draws a normal, `-uniform` the uniform of the same variance.
  'xavier-logistic': scheme('xavier-logistic', varianceScaling(16, 'fan_avg', 'normal')),
  'xavier-logistic-uniform': scheme('xavier-logistic-uniform', varianceScaling(16, 'fan_avg', 'uniform')),
  he: scheme('he', varianceScaling(2, 'fan_in', 'normal')),
  'he-uniform': scheme('he-uniform', varianceScaling(2, 'fan_in', 'uniform')),
  lecun: scheme('lecun', varianceScaling(1, 'fan_in', 'normal')),
  'lecun-uniform': scheme('lecun-uniform', varianceScaling(1, 'fan_in', 'uniform')),
  orthogonal: scheme('orthogonal', (_fanIn, _fanOut, context) => ({ kind: 'orthogonal', gain: context.gain })),
  book: scheme('book', bookDistribution(false)),
  'book-uniform': scheme('book-uniform', bookDistribution(true)),
};

const ALIASES: Record<string, string> = {
  glorot: 'xavier',
  'glorot-uniform': 'xavier-uniform',
};

/** What the user may type, for error messages and `vgrad inits`. */
export const INIT_NAMES = [...Object.keys(REGISTRY), 'glorot', 'glorot-uniform', 'normal:STD', 'uniform:LIMIT', 'vs:scale=S,mode=fan_in|fan_out|fan_avg,dist=normal|uniform|truncated'];

const ALLOWED_INITS = `allowed: ${INIT_NAMES.join(', ')}`;

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

/** Resolves what the user typed to an initializer, or throws a UsageError naming what is allowed. */
export function parseInit(text: string): Initializer {
  const lowered = text.trim().toLowerCase();
  const known = REGISTRY[ALIASES[lowered] ?? lowered];
  if (known) return known;
  if (lowered.startsWith('normal:')) {
    const std = positiveNumber(lowered.slice('normal:'.length), `'${text}'`);
    return scheme(`normal:${std}`, () => ({ kind: 'normal', std }));
  }
  if (lowered.startsWith('uniform:')) {
    const limit = positiveNumber(lowered.slice('uniform:'.length), `'${text}'`);
    return scheme(`uniform:${limit}`, () => ({ kind: 'uniform', limit }));
  }
  if (lowered.startsWith('vs:')) return parseVarianceScaling(lowered);
  throw new UsageError(`--init '${text}' is not an initializer; ${ALLOWED_INITS}`);
}

/** The schemes `vgrad inits` lists, with what each is meant for. */
export const INIT_CATALOGUE: { name: string; meantFor: string; note?: string }[] = [
  { name: 'normal1', meantFor: 'nothing', note: 'N(0,1): the pre-2010 practice that fails with the logistic' },
  { name: 'standard', meantFor: 'nothing', note: 'U[±1/√fan_in]: the heuristic Glorot & Bengio showed fails' },
  { name: 'normal:0.01', meantFor: 'shallow nets', note: 'small random numbers: fails beyond ~8 layers (He et al.)' },
  { name: 'uniform:0.05', meantFor: 'shallow nets', note: 'small random numbers' },
  { name: 'xavier', meantFor: 'none, tanh, softsign, softmax', note: 'alias glorot; Var = 2/(fan_in+fan_out); for sigmoid see xavier-logistic' },
  { name: 'xavier-uniform', meantFor: 'none, tanh, softsign, softmax' },
  {
    name: 'xavier-logistic',
    meantFor: 'sigmoid (shallow)',
    note: "σ = 4·√(2/(fan_in+fan_out)), Glorot & Bengio's ×4; deep sigmoid nets still vanish",
  },
  { name: 'xavier-logistic-uniform', meantFor: 'sigmoid (shallow)', note: 'r = 4·√(6/(fan_in+fan_out)), as Glorot & Bengio give it' },
  { name: 'he', meantFor: 'relu, leaky-relu, elu', note: 'Var = 2/fan_in' },
  { name: 'he-uniform', meantFor: 'relu, leaky-relu, elu' },
  { name: 'lecun', meantFor: 'selu', note: 'Var = 1/fan_in' },
  { name: 'lecun-uniform', meantFor: 'selu' },
  { name: 'orthogonal', meantFor: 'linear, tanh (with --gain)', note: 'std = gain/√max(fan_in, fan_out)' },
  { name: 'vs:scale=2,mode=fan_avg,dist=uniform', meantFor: 'any', note: 'variance scaling: Var = scale/n' },
];
