/**
 * The mean-field prediction for a run's configuration: the same net `vgrad run` builds from the
 * same flags, so a stored run record can be set beside it. Pure math: the caller supplies the
 * data's second moment (src/data/inputMoment.ts computes it as `vgrad run` would see it).
 */
import type { ActivationName } from '../model/activations.js';
import { parseInit } from '../model/initializers.js';
import { type NetSpec, predictNet, predictNetPaced, type Prediction, sigmaW2ForNet } from './meanField.js';
import { type PhaseNumbers, phaseNumbers } from './phase.js';

/** The part of a RunConfig (or a stored record's config) the prediction depends on. */
export interface ModelConfig {
  layers: number[];
  act: ActivationName;
  alpha: number;
  init: string;
  gain: number;
  /** --bias-std; records written before it existed have none (their biases started at 0). */
  biasStd?: number;
}

export interface InputShape {
  /** Input features (784 for MNIST) and output classes (10). */
  features: number;
  classes: number;
  /** E[x²] over every feature of the training split (1 for --data gaussian). */
  inputSecondMoment: number;
}

function netSpecFor(config: ModelConfig, input: InputShape): NetSpec {
  const sizes = [input.features, ...config.layers, input.classes];
  const sigmaW2 = sigmaW2ForNet(sizes, parseInit(config.init), { act: config.act, gain: config.gain });
  return { sizes, act: config.act, alpha: config.alpha, sigmaW2, inputSecondMoment: input.inputSecondMoment, sigmaB2: (config.biasStd ?? 0) ** 2 };
}

export function predictForConfig(config: ModelConfig, input: InputShape): Prediction {
  return predictNet(netSpecFor(config, input));
}

/** predictForConfig awaiting `between` after each layer (see predictNetPaced). */
export function predictForConfigPaced(config: ModelConfig, input: InputShape, between: () => Promise<void>): Promise<Prediction> {
  return predictNetPaced(netSpecFor(config, input), between);
}

/**
 * The order-to-chaos numbers (./phase.ts) of the configured net's repeating part: the activation,
 * σw² of the weights into the top hidden layer (the hidden-to-hidden ones when depth ≥ 2) and
 * σb² = --bias-std².
 */
export function phaseForConfig(config: ModelConfig, input: Pick<InputShape, 'features' | 'classes'>): PhaseNumbers {
  const sizes = [input.features, ...config.layers, input.classes];
  const sigmaW2 = sigmaW2ForNet(sizes, parseInit(config.init), { act: config.act, gain: config.gain });
  const top = Math.max(sizes.length - 3, 0);
  return phaseNumbers(config.act, config.alpha, sigmaW2[top], (config.biasStd ?? 0) ** 2);
}
