/**
 * The flag rules, in one place: per-layer flags and one verdict for a probe point of a run.
 * Pure numbers, no tensors: the run table, `vgrad show`, sweeps and the theory overlay all judge
 * stored statistics through this module, so the same numbers always get the same words.
 *
 * The rules and their thresholds were calibrated at step 0 on `--data gaussian` and mnist, seeds
 * 1–3 (see docs/run.md "Flag rules" and test/verdicts.test.ts): silent on relu/leaky-relu/elu + he,
 * tanh/softsign + xavier, selu + lecun at depths 2–30; firing on the broken configurations.
 */
import { ACTIVATION, ACTIVATION_FAMILIES, type ActivationName, activationFacts, activationsWhere, FAMILY_NOTE } from '../model/activations.js';
import { labelsAreLearnable } from '../data/sources.js';

export type LayerFlag = 'vanishing' | 'exploding' | 'saturated' | 'dead' | 'non-finite';
/**
 * Most severe first: a run gets the first verdict that it or any of its layers earns. The two
 * outcomes of training come first, because a verdict is read as the answer to "did it work?":
 * `diverged`, then `not-learning` (trained and still at chance); the layer flags that explain them
 * stay in the table and in the step-0 verdict. `dead` comes before `saturated` because a killed ReLU
 * unit is also saturated on every sample: dead is the diagnosis.
 */
export const RUN_VERDICTS = ['diverged', 'not-learning', 'exploding', 'vanishing', 'dead', 'saturated', 'healthy'] as const;
export type RunVerdict = (typeof RUN_VERDICTS)[number];

/**
 * The statistics a verdict reads (a subset of LayerStats). null or a non-finite number means the
 * value was not finite (records store non-finite numbers as null); `saturated` and `dead` are
 * null for the output layer, which has no elementwise φ.
 */
export interface VerdictStats {
  preactVar: number | null;
  actVar: number | null;
  gradVar: number | null;
  weightGradNorm: number | null;
  saturated: number | null;
  dead: number | null;
}

export interface VerdictLayer {
  kind: 'hidden' | 'output';
  fanIn: number;
  /** The layer's width (units). */
  fanOut: number;
  stats: VerdictStats;
  /** The same layer at step 0: the baseline for `dead`. Omit (or pass undefined) at step 0. */
  initial?: VerdictStats;
}

/** What training reached, for the training verdict (absent at step 0 and for predictions). */
export interface TrainingOutcome {
  /** Steps trained. */
  steps: number;
  /** Accuracy on the test split with the final weights. */
  testAcc: number;
  /** Mean loss over the training split with the final weights. */
  loss: number;
  /** Output classes: chance is 1/classes, a constant guess's loss ln(classes). */
  classes: number;
  /** false where the labels carry nothing to learn (--data gaussian draws them at random). */
  learnable: boolean;
}

export interface VerdictInput {
  act: ActivationName;
  /** leaky-relu's negative slope. */
  alpha: number;
  /** Hidden layers in order, then the output layer. */
  layers: VerdictLayer[];
  /** The run stopped on a non-finite loss or gradient (status `diverged`). */
  diverged?: boolean;
  /** After training: what it reached (judged by notLearning). */
  training?: TrainingOutcome;
}

export interface Verdict {
  verdict: RunVerdict;
  /** Flags of each layer, in the order of `layers`. */
  flags: LayerFlag[][];
  /**
   * Gradient energy of each layer relative to the top hidden layer, width · gradVar over the top's
   * (null where not finite, and for the output layer). Below 1/GRADIENT_SPAN: vanishing.
   */
  gradientRatio: (number | null)[];
}

/**
 * A hidden layer's gradient energy this many times below (or above) the top hidden layer's is
 * flagged. Calibrated: healthy nets of depth 2–30 stay within 10^3.4 (tanh and softsign at Xavier lose
 * gradient slowly, as a power of depth, while their signal shrinks; elu at He gains up to 10^2.6),
 * while the broken ones are at 10^8.8 (relu+xavier, depth 30) and beyond.
 */
export const GRADIENT_SPAN = 1e4;
/** Saturated: the saturated share exceeds what the activation shows at its best init by more than this. */
export const SATURATION_MARGIN = 0.25;
/** Dead: the share of dead units rose by more than this since step 0. */
export const DEAD_RISE = 0.1;
/**
 * Not learning (docs/run.md "Flag rules", calibrated by scripts/training-calibration.mjs on mnist, seeds
 * 1–3, 250 steps): after at least NOT_LEARNING_MIN_STEPS steps, the test accuracy is within
 * CHANCE_MARGIN of chance (1/classes) and the training loss has not fallen below
 * (1 − LOSS_FALL)·ln(classes), the loss of a constant uniform guess. Both must hold: a slow learner
 * whose accuracy has not moved yet shows it in its loss.
 */
export const NOT_LEARNING_MIN_STEPS = 250;
export const CHANCE_MARGIN = 0.15;
export const LOSS_FALL = 0.08;

/** The training verdict's rule: trained long enough, and both accuracy and loss still at chance. */
export function notLearning(outcome: TrainingOutcome): boolean {
  if (!outcome.learnable || outcome.steps < NOT_LEARNING_MIN_STEPS || !(outcome.classes >= 2)) return false;
  const chance = 1 / outcome.classes;
  // A non-finite loss is diverged, judged before this.
  return outcome.testAcc <= chance + CHANCE_MARGIN && outcome.loss >= (1 - LOSS_FALL) * Math.log(outcome.classes);
}

/**
 * The saturated share an activation shows by construction at its best init (its record says why);
 * 0 for a name vgrad does not know (a stored record's).
 */
export function saturationBaseline(act: string): number {
  return activationFacts(act)?.saturationBaseline ?? 0;
}

/**
 * The saturated rule's thresholds (%) with the activations each applies to, one-sided family first,
 * from the activation records; `note` is what the family shows by design ('' for nothing).
 */
export function saturatedThresholds(): { percent: number; names: ActivationName[]; note: string }[] {
  const groups: { percent: number; names: ActivationName[]; note: string }[] = [];
  for (const family of ACTIVATION_FAMILIES) {
    const members = activationsWhere((facts) => facts.family === family);
    for (const baseline of new Set(members.map((name) => ACTIVATION[name].saturationBaseline))) {
      const names = members.filter((name) => ACTIVATION[name].saturationBaseline === baseline);
      groups.push({ percent: (baseline + SATURATION_MARGIN) * 100, names, note: FAMILY_NOTE[family] });
    }
  }
  return groups;
}

const finite = (value: number | null | undefined): value is number => typeof value === 'number' && Number.isFinite(value);

/** The rules in words, one row per flag: the legend, docs/run.md and `--help` print these. */
export const FLAG_RULES: { flag: LayerFlag | RunVerdict; rule: string }[] = [
  {
    flag: 'vanishing',
    rule: `a hidden layer's gradient energy (width × grad var) is 10^${Math.log10(GRADIENT_SPAN)} or more times below the top hidden layer's`,
  },
  { flag: 'exploding', rule: `… 10^${Math.log10(GRADIENT_SPAN)} or more times above the top hidden layer's` },
  {
    flag: 'saturated',
    rule: `sat exceeds what φ shows at its best init by more than ${SATURATION_MARGIN * 100} points: ${saturatedThresholds()
      .map((group) => `over ${group.percent}% for ${group.names.join(', ')}${group.note ? ` (${group.note})` : ''}`)
      .join(', ')}`,
  },
  { flag: 'dead', rule: `after training: the share of dead units rose by more than ${DEAD_RISE * 100} points since step 0` },
  { flag: 'non-finite', rule: 'a variance, gradient or weight-gradient norm is ±Inf or NaN' },
  {
    flag: 'not-learning',
    rule: `run verdict after ${NOT_LEARNING_MIN_STEPS} or more steps: test accuracy ≤ chance + ${CHANCE_MARGIN} and training loss ≥ ${1 - LOSS_FALL}·ln(classes) (not judged on --data gaussian: random labels)`,
  },
  { flag: 'diverged', rule: 'run verdict: the loss or a gradient turned non-finite, or any layer is non-finite' },
];

/** Flags and verdict for one probe point of a run. */
export function judge(input: VerdictInput): Verdict {
  const { layers } = input;
  const hidden = layers.filter((layer) => layer.kind === 'hidden');
  const top = hidden[hidden.length - 1];
  const energy = (layer: VerdictLayer) => {
    const value = layer.stats.gradVar;
    return finite(value) && value > 0 ? layer.fanOut * value : null;
  };
  const topEnergy = top ? energy(top) : null;
  const baseline = saturationBaseline(input.act);
  const gradientRatio: (number | null)[] = [];
  const flags = layers.map((layer) => {
    const s = layer.stats;
    const out: LayerFlag[] = [];
    const own = layer.kind === 'hidden' ? energy(layer) : null;
    const ratio = own !== null && topEnergy !== null ? own / topEnergy : null;
    gradientRatio.push(ratio);
    if (ratio !== null) {
      if (ratio * GRADIENT_SPAN <= 1) out.push('vanishing');
      else if (ratio >= GRADIENT_SPAN) out.push('exploding');
    }
    if (finite(s.saturated) && s.saturated > baseline + SATURATION_MARGIN) out.push('saturated');
    if (finite(s.dead) && layer.initial && finite(layer.initial.dead) && s.dead - layer.initial.dead > DEAD_RISE) out.push('dead');
    if (![s.preactVar, s.actVar, s.gradVar, s.weightGradNorm].every(finite)) out.push('non-finite');
    return out;
  });
  const all = new Set(flags.flat());
  let verdict: RunVerdict = 'healthy';
  if (input.diverged || all.has('non-finite')) verdict = 'diverged';
  else if (input.training && notLearning(input.training)) verdict = 'not-learning';
  else {
    for (const candidate of RUN_VERDICTS) {
      if (candidate !== 'diverged' && candidate !== 'not-learning' && candidate !== 'healthy' && all.has(candidate as LayerFlag)) {
        verdict = candidate;
        break;
      }
    }
  }
  return { verdict, flags, gradientRatio };
}

/** The parts of a stored run record (store/record.ts) a verdict reads. */
export interface JudgedRecord {
  config: { act: ActivationName; alpha: number };
  data: { name: string };
  status: string;
  divergedAt: number | null;
  final: { step: number; loss: number; testAcc: number };
  layers: { kind: 'hidden' | 'output'; fanIn: number; fanOut: number; initial: VerdictStats; final: VerdictStats }[];
}

/** What a stored run's training reached; a source with random labels (--data gaussian) has nothing to learn. */
export function trainingOutcomeOf(record: JudgedRecord): TrainingOutcome {
  return {
    steps: record.final.step,
    testAcc: record.final.testAcc,
    loss: record.final.loss,
    classes: record.layers[record.layers.length - 1].fanOut,
    learnable: labelsAreLearnable(record.data.name),
  };
}

/**
 * A stored run's verdict at step 0 ('initial') or at its last probe point ('final'). Step 0 counts
 * as diverged only when the run diverged there (divergedAt 0); the last point whenever it diverged.
 * The last point also gets the training verdict (not-learning).
 */
export function judgeRecord(record: JudgedRecord, pick: 'initial' | 'final'): Verdict {
  return judge({
    act: record.config.act,
    alpha: record.config.alpha,
    diverged: record.status === 'diverged' && (pick === 'final' || record.divergedAt === 0),
    training: pick === 'final' ? trainingOutcomeOf(record) : undefined,
    layers: record.layers.map((layer) => ({
      kind: layer.kind,
      fanIn: layer.fanIn,
      fanOut: layer.fanOut,
      stats: layer[pick],
      initial: pick === 'final' ? layer.initial : undefined,
    })),
  });
}
