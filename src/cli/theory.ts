/**
 * `vgrad theory`: the mean-field prediction at initialization for the net `vgrad run` would build
 * from the same flags. Pure math (src/theory); it never loads TensorFlow.js.
 */
import { Command } from 'commander';
import Table from 'cli-table3';
import { DEFAULTS, parseRunConfig, type RawRunOptions, type RunConfig } from '../config/runConfig.js';
import { ACTIVATIONS } from '../model/activations.js';
import { formatNumber } from '../report/layerTable.js';
import { tableOptions } from '../report/tableStyle.js';
import { toJson } from '../store/record.js';
import { type InputShape, meanSquare, predictForConfig } from '../theory/forConfig.js';
import type { Prediction } from '../theory/meanField.js';
import { chalkFor } from './color.js';

/** --data gaussian draws MNIST-shaped N(0,1) inputs with 10 random labels (src/data/gaussian.ts). */
const GAUSSIAN_FEATURES = 784;
const CLASSES = 10;

interface TheoryFlags extends RawRunOptions {
  json?: boolean;
}

/** The model and data flags of `vgrad run` that the prediction depends on, declared once here. */
function addModelOptions(command: Command): Command {
  return command
    .option('--depth <n>', `hidden layers (first ${DEFAULTS.firstWidth} units, the rest --width) (default: ${DEFAULTS.depth})`)
    .option('--width <n>', `units in hidden layers 2..depth (default: ${DEFAULTS.width})`)
    .option('--layers <list>', 'hidden layer widths, e.g. 300,100,100 (instead of --depth/--width)')
    .option('--act <name>', `activation: ${ACTIVATIONS.join(', ')}`, DEFAULTS.act)
    .option('--alpha <x>', 'leaky-relu negative slope', String(DEFAULTS.alpha))
    .option('--init <name>', "initializer (see 'vgrad inits')", DEFAULTS.init)
    .option('--gain <x>', 'gain of the orthogonal initializer', String(DEFAULTS.gain))
    .option('--data <source>', 'mnist, gaussian or idx:DIR: sets the first layer input second moment E[x²]', DEFAULTS.data)
    .option('--train-size <n>', 'training samples E[x²] is taken over (as in run)')
    .option('--test-size <n>', 'test samples (as in run; only affects which rows are training rows)')
    .option('--standardize', 'standardize each pixel first, as run does')
    .option('--seed <n>', 'seed of the data split (as in run)', String(DEFAULTS.seed));
}

/** The input width, and E[x²] of the training split the run would train on (exactly 1 for N(0,1) inputs). */
async function inputFor(config: RunConfig): Promise<InputShape> {
  if (config.data === 'gaussian' && !config.standardize) return { features: GAUSSIAN_FEATURES, classes: CLASSES, inputSecondMoment: 1 };
  const { loadDataset } = await import('../data/load.js');
  const data = loadDataset({
    data: config.data,
    seed: config.seed,
    trainSize: config.trainSize ?? undefined,
    testSize: config.testSize ?? undefined,
    standardize: config.standardize,
  });
  return { features: data.features, classes: data.classes, inputSecondMoment: meanSquare(data.train.x) };
}

function describeDepthScale(prediction: Prediction): string {
  const { chiStar, qStar, xi, trend } = prediction.depthScale;
  const head = `depth scale: χ* = ${formatNumber(chiStar)} at q* = ${formatNumber(qStar)}`;
  if (xi === null) return `${head}: χ* = 1, gradient variance is preserved from layer to layer (ξ infinite)`;
  const layers = formatNumber(Math.abs(xi));
  return trend === 'vanishing'
    ? `${head}: ξ = −1/ln χ* = ${layers}; the gradient variance shrinks ×1/e every ${layers} layers toward the input (vanishing)`
    : `${head}: ξ = −1/ln χ* = −${layers}; the gradient variance grows ×e every ${layers} layers toward the input (exploding)`;
}

function renderTable(config: RunConfig, input: InputShape, prediction: Prediction, useColor: NodeJS.WriteStream): string {
  const color = chalkFor(useColor);
  const table = new Table(tableOptions(color, ['layer', 'shape', 'σw²', 'z var q', 'φ(z) mean', 'φ(z) var', 'χ', 'grad var ÷ out', 'sat']));
  for (const layer of prediction.layers) {
    table.push([
      layer.kind === 'output' ? `${layer.index} out` : String(layer.index),
      `${layer.fanIn}→${layer.fanOut}`,
      formatNumber(layer.sigmaW2),
      formatNumber(layer.preactVar),
      formatNumber(layer.actMean),
      formatNumber(layer.actVar),
      formatNumber(layer.chi),
      formatNumber(layer.gradVarRatio),
      layer.saturated === null ? '–' : `${(layer.saturated * 100).toFixed(1)}%`,
    ]);
  }
  const shape = [input.features, ...config.layers, input.classes].join('→');
  return [
    color.bold(`Mean-field prediction at initialization: ${shape}, --act ${config.act}, --init ${config.init}, E[x²] = ${formatNumber(input.inputSecondMoment)} (--data ${config.data})`),
    table.toString(),
    describeDepthScale(prediction),
    "χ = σw²(l+1)·E[φ'(z)²]; going down from layer l+1 to l the gradient variance is multiplied by χ·n(l+1)/n(l).",
    'verdict: pending (the run flag rules are not in this build yet)',
    '',
  ].join('\n');
}

export function theoryCommand(): Command {
  return addModelOptions(new Command('theory'))
    .description('mean-field prediction at initialization (z var, χ, gradient variance, saturation) for the net run builds')
    .option('--json', 'print JSON on stdout')
    .addHelpText('after', '\nExamples:\n  $ vgrad theory --act tanh --init normal1 --depth 10\n  $ vgrad theory --act selu --init lecun --layers 300,100,100,100 --json')
    .action(async (flags: TheoryFlags) => {
      const config = parseRunConfig(flags);
      const input = await inputFor(config);
      const prediction = predictForConfig(config, input);
      if (flags.json) {
        const model = { layers: config.layers, depth: config.depth, act: config.act, alpha: config.alpha, init: config.init, gain: config.gain, data: config.data, standardize: config.standardize };
        process.stdout.write(`${toJson({ schema: 'vgrad.theory/1', config: model, features: input.features, classes: input.classes, inputSecondMoment: input.inputSecondMoment, ...prediction, verdict: null })}\n`);
        return;
      }
      process.stdout.write(renderTable(config, input, prediction, process.stdout));
    });
}
