/**
 * What vgrad says about a batch-normalized net at initialization (--batch-norm). Pure math.
 *
 * Forward: batch norm makes ẑ's per-unit variance γ²·σ²/(σ² + ε), which is 1 at init (γ = 1) up to
 * ε/σ², at every depth, whatever the init or φ.
 *
 * Backward: Yang et al. 2019 ("A mean field theory of batch normalization") show that the gradient
 * of a deep batch-normalized net at initialization explodes geometrically with depth. vgrad does not
 * derive their rate; it states a MEASURED law: the per-layer growth of grad var (Var ∂ℓ/∂z, going
 * down from the top hidden layer) over hidden layers 2–10 of 10-layer nets of width 100 at step 0,
 * `vgrad run --batch-norm --act A --depth 10 --steps 0 --train-size 1000 --test-size 512 --seed S`,
 * seeds 1–3, probe batch 512 (the rate depends on the batch size in their theory):
 * relu 1.49, 1.47, 1.50; tanh 1.24, 1.20, 1.24. Activations not measured have no rate.
 */
import { ACTIVATIONS, activationFacts } from '../model/activations.js';

/** The activations with a measured rate (their records' batchNormGradientGrowth). */
const MEASURED = () => ACTIVATIONS.filter((name) => activationFacts(name)?.batchNormGradientGrowth);

export interface BatchNormLayerPrediction {
  /** 1..depth, hidden layers only. */
  index: number;
  /** ẑ's variance: 1 (γ = 1 at init; ε aside). */
  normalizedVar: number;
  /** grad var relative to the top hidden layer's: rate^(depth − index); null without a measured rate or below a change of width. */
  gradVarRelativeToTop: number | null;
}

export interface BatchNormPrediction {
  /** The measured per-layer growth of grad var toward the input, or null when not measured for φ. */
  growthPerLayer: number | null;
  source: string;
  layers: BatchNormLayerPrediction[];
}

/**
 * `layers`: the hidden widths. The law was measured across hidden layers 2 and up of equal width:
 * below a change of width (the first layer, 300 units against 100 by default), and on layer 1
 * always, the table has no prediction. ∂L/∂z carries 1/σ(z) of its layer (batch norm divides by
 * it), and layer 1's z is the data's through W₁, whose variance is the init's and the input's,
 * not the normalized one the layers above see.
 */
export function predictBatchNorm(act: string, layers: number[]): BatchNormPrediction {
  const depth = layers.length;
  // The lowest layer from which on up every hidden layer has the top one's width.
  let equalFrom = depth - 1;
  while (equalFrom > 1 && layers[equalFrom - 1] === layers[depth - 1]) equalFrom--;
  const measured = activationFacts(act)?.batchNormGradientGrowth;
  const rate = measured?.rate ?? null;
  return {
    growthPerLayer: rate,
    source: rate === null ? `no measured rate for ${act} (measured: ${MEASURED().join(', ')})` : 'measured law (not derived): 10-layer nets, width 100, probe batch 512, seeds 1–3',
    layers: Array.from({ length: depth }, (_, l) => ({
      index: l + 1,
      normalizedVar: 1,
      gradVarRelativeToTop: rate === null || l < equalFrom ? null : rate ** (depth - (l + 1)),
    })),
  };
}
