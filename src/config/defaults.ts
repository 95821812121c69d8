/**
 * Every command's defaults, in one table. `vgrad run`'s come from its option table (options.ts,
 * DEFAULTS), which also holds the results root every command reads and writes (DEFAULTS.out,
 * written once); the other commands' own settings are here, taken from the run's where they mean
 * the same thing (the first layer's shape, the probe cadence and batch, the backend).
 */
import { MNIST_PACKAGE_FEATURES } from '../data/mnistPackage.js';
import { DEFAULTS, FIRST_WIDTH } from './options.js';

export const COMMAND_DEFAULTS = {
  /** `vgrad inits`: the first hidden layer of the default net. */
  inits: { fanIn: MNIST_PACKAGE_FEATURES, fanOut: FIRST_WIDTH, gain: DEFAULTS.gain },
  bench: {
    // The list flags' defaults, as the flags are written.
    depths: '2,10,30',
    acts: 'relu,tanh',
    batches: '64,256',
    chunks: 4,
    logEvery: DEFAULTS.logEvery,
    probeSize: DEFAULTS.probeSize,
    warmup: 30,
    rounds: 3,
    backend: DEFAULTS.backend,
    // 1, like the PyTorch reference: a ratio of one thread against one thread.
    threads: 1,
    python: '/usr/bin/python3',
    /** Allowed drop in samples/s before --compare fails: runs on a shared 2-core machine vary by about ±15%. */
    tolerance: 0.25,
    /** The runs bench times (run options; the rest are `vgrad run`'s defaults): MNIST splits, learning rate, seed. */
    run: { trainSize: 4000, testSize: 1000, lr: 0.01, seed: 1 },
  },
  compare: { stat: 'gradVar', at: 'init' },
  /** `vgrad theory --map`: Schoenholz et al. 2017's Fig. 1 ranges for tanh, and the grid. */
  phaseMap: { sigmaW2: '1,4', sigmaB2: '0,0.3', grid: '40x16' },
  report: { formats: ['html', 'svg', 'png'] },
  tensorboard: { logdir: 'tensorboard' },
  native: { pip: 'pip' },
} as const;
