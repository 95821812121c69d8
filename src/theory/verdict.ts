/**
 * The run flag rules (src/probes/verdicts.ts) applied to a prediction, so `vgrad theory` says
 * "vanishing" exactly where `vgrad run --steps 0` would, given numbers like the predicted ones.
 */
import type { ActivationName } from '../model/activations.js';
import { judge, type Verdict } from '../probes/verdicts.js';
import type { Prediction } from './meanField.js';

/**
 * Only the hidden layers are judged: the rules compare gradients with the top hidden layer's, and
 * the theory does not predict the output layer's softmax variance. The predicted gradient
 * variance is relative to the output layer's; the rules use ratios, so the scale does not matter.
 * The rules read the weight-gradient norm only to detect non-finite values; the theory does not
 * predict it, so it is passed as 0 and non-finite predictions show in the other fields.
 */
export function judgePrediction(prediction: Prediction, act: ActivationName, alpha: number): Verdict {
  const hidden = prediction.layers.filter((layer) => layer.kind === 'hidden');
  return judge({
    act,
    alpha,
    layers: hidden.map((layer) => ({
      kind: 'hidden',
      fanIn: layer.fanIn,
      fanOut: layer.fanOut,
      stats: {
        preactVar: layer.preactVar,
        actVar: layer.actVar,
        gradVar: layer.gradVarRatio,
        weightGradNorm: 0,
        saturated: layer.saturated,
        dead: null,
      },
    })),
  });
}
