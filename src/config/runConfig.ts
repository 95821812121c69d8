/**
 * Every knob of a run, nanoGPT-style: one named value each, validated with zod from what the
 * user typed. Errors name the flag and what is allowed, in one line.
 */
import { z } from 'zod';
import { BACKEND_CHOICES, type BackendChoice } from '../backend/choices.js';
import { ACTIVATIONS, type ActivationName } from '../model/activations.js';
import { parseInit } from '../model/initializers.js';
import { UsageError } from './errors.js';

export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export interface RunConfig {
  /** Hidden layer widths, bottom to top. */
  layers: number[];
  depth: number;
  act: ActivationName;
  /** Leaky-ReLU negative slope. */
  alpha: number;
  /** Canonical initializer name (parametric specs normalised). */
  init: string;
  /** Orthogonal initializer gain. */
  gain: number;
  optimizer: OptimizerName;
  lr: number;
  /** Momentum coefficient, for --optimizer momentum. */
  momentum: number;
  batch: number;
  /** Training steps (updates); 0 measures the net at initialization only. */
  steps: number;
  /** When given, steps = ceil(epochs × train samples / batch). */
  epochs: number | null;
  seed: number;
  data: string;
  trainSize: number | null;
  testSize: number | null;
  standardize: boolean;
  /** Held-out samples in the fixed probe batch. */
  probeSize: number;
  /** Probe every K steps (and at step 0 and the last step). */
  logEvery: number;
  backend: BackendChoice;
  /** Root folder of stored runs. */
  out: string;
}

/** The values `vgrad run` uses when a flag is absent. */
export const DEFAULTS = {
  depth: 2,
  firstWidth: 300,
  width: 100,
  act: 'relu',
  alpha: 0.01,
  init: 'he',
  gain: 1,
  optimizer: 'sgd',
  lr: 0.05,
  momentum: 0.9,
  batch: 64,
  steps: 250,
  seed: 42,
  data: 'mnist',
  probeSize: 512,
  logEvery: 100,
  backend: 'auto',
  out: 'results',
} as const;

/** Raw flag values as commander hands them over: strings, booleans or absent. */
export interface RawRunOptions {
  depth?: string;
  width?: string;
  layers?: string;
  act?: string;
  alpha?: string;
  init?: string;
  gain?: string;
  optimizer?: string;
  lr?: string;
  momentum?: string;
  batch?: string;
  steps?: string;
  epochs?: string;
  seed?: string;
  data?: string;
  trainSize?: string;
  testSize?: string;
  standardize?: boolean;
  probeSize?: string;
  logEvery?: string;
  backend?: string;
  out?: string;
}

const FLAGS: Record<keyof RawRunOptions, string> = {
  depth: '--depth',
  width: '--width',
  layers: '--layers',
  act: '--act',
  alpha: '--alpha',
  init: '--init',
  gain: '--gain',
  optimizer: '--optimizer',
  lr: '--lr',
  momentum: '--momentum',
  batch: '--batch',
  steps: '--steps',
  epochs: '--epochs',
  seed: '--seed',
  data: '--data',
  trainSize: '--train-size',
  testSize: '--test-size',
  standardize: '--standardize',
  probeSize: '--probe-size',
  logEvery: '--log-every',
  backend: '--backend',
  out: '--out',
};

const integer = (min: number) => {
  const rule = `must be an integer ≥ ${min}`;
  return z.coerce.number({ error: rule }).int({ error: rule }).min(min, { error: rule });
};
const positive = () => z.coerce.number({ error: 'must be a number > 0' }).positive({ error: 'must be a number > 0' });
const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(', ')}` });

const rawSchema = z.object({
  depth: integer(1).optional(),
  width: integer(1).optional(),
  layers: z
    .string()
    .regex(/^\s*\d+\s*(,\s*\d+\s*)*$/, { error: 'must be a comma list of integers ≥ 1, e.g. 300,100,100' })
    .transform((text) => text.split(',').map((part) => Number(part.trim())))
    .refine((sizes) => sizes.every((size) => size >= 1), { error: 'must be a comma list of integers ≥ 1, e.g. 300,100,100' })
    .optional(),
  act: oneOf(ACTIVATIONS).default(DEFAULTS.act),
  alpha: z.coerce.number({ error: 'must be a number ≥ 0' }).min(0, { error: 'must be a number ≥ 0' }).default(DEFAULTS.alpha),
  init: z.string().default(DEFAULTS.init),
  gain: positive().default(DEFAULTS.gain),
  optimizer: oneOf(OPTIMIZERS).default(DEFAULTS.optimizer),
  lr: positive().default(DEFAULTS.lr),
  momentum: z.coerce
    .number({ error: 'must be a number in [0, 1)' })
    .min(0, { error: 'must be a number in [0, 1)' })
    .lt(1, { error: 'must be a number in [0, 1)' })
    .default(DEFAULTS.momentum),
  batch: integer(1).default(DEFAULTS.batch),
  steps: integer(0).optional(),
  epochs: positive().optional(),
  seed: integer(0).default(DEFAULTS.seed),
  data: z.string().default(DEFAULTS.data),
  trainSize: integer(1).optional(),
  testSize: integer(1).optional(),
  standardize: z.boolean().default(false),
  probeSize: integer(1).default(DEFAULTS.probeSize),
  logEvery: integer(1).default(DEFAULTS.logEvery),
  backend: oneOf(BACKEND_CHOICES).default(DEFAULTS.backend),
  out: z.string().min(1, { error: 'must be a folder path' }).default(DEFAULTS.out),
});

/** Hidden widths for --depth/--width: the first layer has DEFAULTS.firstWidth units, the rest `width`. */
export function defaultLayers(depth: number, width: number = DEFAULTS.width): number[] {
  return Array.from({ length: depth }, (_, l) => (l === 0 ? DEFAULTS.firstWidth : width));
}

function hiddenLayers(raw: RawRunOptions, parsed: z.infer<typeof rawSchema>): number[] {
  if (parsed.layers !== undefined) {
    if (parsed.depth !== undefined && parsed.depth !== parsed.layers.length) {
      throw new UsageError(`--layers gives ${parsed.layers.length} hidden layers but --depth says ${parsed.depth}; give one or make them agree`);
    }
    if (raw.width !== undefined) throw new UsageError('--width cannot be combined with --layers, which sets every width');
    return parsed.layers;
  }
  const depth = parsed.depth ?? DEFAULTS.depth;
  const width = parsed.width ?? DEFAULTS.width;
  return defaultLayers(depth, width);
}

/** Validates raw flags into a RunConfig, or throws a one-line UsageError naming the flag. */
export function parseRunConfig(raw: RawRunOptions): RunConfig {
  const result = rawSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = issue.path[0] as keyof RawRunOptions;
    const given = raw[key];
    throw new UsageError(`${FLAGS[key] ?? String(key)} ${issue.message}${given === undefined ? '' : ` (got '${given}')`}`);
  }
  const parsed = result.data;
  if (parsed.steps !== undefined && parsed.epochs !== undefined) {
    throw new UsageError('--steps and --epochs cannot both be given; pick one');
  }
  const layers = hiddenLayers(raw, parsed);
  const initializer = parseInit(parsed.init);
  // Schemes that depend on the activation (book) reject it here, before anything runs.
  initializer.distribution(784, layers[0], { act: parsed.act, gain: parsed.gain });
  const init = initializer.name;
  if (!/^(mnist|gaussian|idx:.*)$/.test(parsed.data)) {
    throw new UsageError(`--data '${parsed.data}' is not a data source; allowed: mnist, gaussian, idx:DIR`);
  }
  return {
    layers,
    depth: layers.length,
    act: parsed.act,
    alpha: parsed.alpha,
    init,
    gain: parsed.gain,
    optimizer: parsed.optimizer,
    lr: parsed.lr,
    momentum: parsed.momentum,
    batch: parsed.batch,
    steps: parsed.steps ?? DEFAULTS.steps,
    epochs: parsed.epochs ?? null,
    seed: parsed.seed,
    data: parsed.data,
    trainSize: parsed.trainSize ?? null,
    testSize: parsed.testSize ?? null,
    standardize: parsed.standardize,
    probeSize: parsed.probeSize,
    logEvery: parsed.logEvery,
    backend: parsed.backend,
    out: parsed.out,
  };
}

/** Steps for the run once the train split's size is known (resolves --epochs). */
export function resolveSteps(config: RunConfig, trainSamples: number): number {
  if (config.epochs === null) return config.steps;
  return Math.ceil((config.epochs * trainSamples) / config.batch);
}
