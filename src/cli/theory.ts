/**
 * `vgrad theory`: the mean-field prediction at initialization for the net `vgrad run` would build
 * from the same flags. Pure math (src/theory); it never loads TensorFlow.js.
 */
import { Command } from 'commander';
import { addRunOptions, type RawRunOptions, type RunOptionKey } from '../config/options.js';
import { parseRunConfig, type RunConfig } from '../config/runConfig.js';
import { formatNumber } from '../report/layerTable.js';
import { droppedNote, fitLines, fittedTable, type TableColumn } from '../report/fitWidth.js';
import { toJson } from '../store/record.js';
import { readWeightsFile } from '../interop/weights.js';
import { inputMomentFor } from '../data/inputMoment.js';
import { dataOptionsOf } from '../data/load.js';
import { type InputShape, phaseForConfig, predictForConfig, predictForConfigPaced } from '../theory/forConfig.js';
import type { PhaseNumbers } from '../theory/phase.js';
import { pacer } from '../util/abort.js';
import type { Prediction } from '../theory/meanField.js';
import { judgePrediction } from '../theory/verdict.js';
import { predictBatchNorm } from '../theory/batchNorm.js';
import { GRADIENT_SPAN, type Verdict } from '../probes/verdicts.js';
import { chalkFor } from './color.js';
import { extname } from 'node:path';
import { COMMAND_DEFAULTS } from '../config/defaults.js';
import { phaseMap } from '../theory/phaseMap.js';
import { renderPhaseMap } from '../report/phaseMapText.js';
import { UsageError } from '../util/errors.js';
import { readDecimalNumber } from '../util/decimal.js';
import { writeFileAtomic } from '../util/atomicFile.js';
import { DiskError, environmentProblem } from '../store/diskErrors.js';
import { writeStdout } from './output.js';
import { outputWidth } from './terminal.js';

interface TheoryFlags extends RawRunOptions {
  json?: boolean;
  wide?: boolean;
  map?: boolean;
  sigmaW2: string;
  sigmaB2: string;
  grid: string;
  picture?: string;
}

/** "lo,hi" with 0 ≤ lo < hi (σw² > 0), or a one-line usage error naming the flag. */
function readRange(flag: string, text: string, positive: boolean): [number, number] {
  const parts = text.split(',').map((part) => readDecimalNumber(part.trim()));
  if (parts.length !== 2 || parts.some((v) => v === undefined || !Number.isFinite(v)) || !((positive ? parts[0]! > 0 : parts[0]! >= 0) && parts[1]! > parts[0]!)) {
    throw new UsageError(`${flag} ${text}: allowed: two numbers lo,hi with ${positive ? '0 <' : '0 ≤'} lo < hi, e.g. ${flag === '--sigma-w2' ? '1,4' : '0,0.3'}`);
  }
  return [parts[0]!, parts[1]!];
}

function readGrid(text: string): { columns: number; rows: number } {
  const match = /^(\d+)x(\d+)$/.exec(text.trim());
  const columns = match ? Number(match[1]) : 0;
  const rows = match ? Number(match[2]) : 0;
  if (!match || columns < 2 || rows < 1 || columns > 400 || rows > 200) throw new UsageError(`--grid ${text}: allowed: COLUMNSxROWS, 2–400 columns (σw²) and 1–200 rows (σb²), e.g. 40x16`);
  return { columns, rows };
}

function pictureFormat(path: string): 'svg' | 'png' {
  const ext = extname(path).toLowerCase();
  if (ext === '.svg' || ext === '.png') return ext.slice(1) as 'svg' | 'png';
  throw new UsageError(`--picture ${path}: allowed: a file name ending in .svg or .png`);
}

async function printPhaseMap(flags: TheoryFlags): Promise<void> {
  const config = parseRunConfig(flags);
  const sigmaW2 = readRange('--sigma-w2', flags.sigmaW2, true);
  const sigmaB2 = readRange('--sigma-b2', flags.sigmaB2, false);
  const grid = readGrid(flags.grid);
  const format = flags.picture === undefined ? null : pictureFormat(flags.picture);
  const map = phaseMap({ act: config.act, alpha: config.alpha, sigmaW2, sigmaB2, ...grid });
  if (flags.picture !== undefined && format !== null) {
    const { chartSvg, svgToPng } = await import('../report/chartRender.js');
    const { phaseMapChart } = await import('../report/phaseMapChart.js');
    const svg = await chartSvg(phaseMapChart(map));
    try {
      writeFileAtomic(flags.picture, format === 'svg' ? svg : await svgToPng(svg));
    } catch (error) {
      const problem = environmentProblem(error);
      if (problem) throw new DiskError(`--picture ${flags.picture}: ${problem}`);
      throw error;
    }
    process.stderr.write(`wrote ${flags.picture}\n`);
  }
  if (flags.json) {
    const cells = map.cells.flat().map((c) => ({ sigmaW2: c.sigmaW2, sigmaB2: c.sigmaB2, phase: c.phase, qStar: c.qStar, chi1: c.chi1, cStar: c.cStar, chiC: c.chiC, xiQ: c.xiQ, xiC: c.xiC }));
    process.stdout.write(`${toJson({ schema: 'vgrad.phase-map/1', act: map.act, alpha: map.alpha, sigmaW2: map.sigmaW2, sigmaB2: map.sigmaB2, critical: map.critical, cells })}\n`);
    return;
  }
  writeStdout(fitLines(renderPhaseMap(map, chalkFor(process.stdout)), outputWidth(process.stdout, flags.wide)));
}

/** The run options the prediction depends on; the others are accepted, so run's flags work unchanged. */
const MODEL_KEYS = new Set<RunOptionKey>(['depth', 'width', 'layers', 'act', 'alpha', 'init', 'gain', 'biasStd', 'data', 'trainSize', 'testSize', 'standardize', 'seed', 'batchNorm']);

/**
 * The depth scale in words. Its trend is said in the flag rules' own terms over this net's hidden
 * layers, so the line never calls "vanishing" what the verdict below calls healthy: a slow trend
 * that stays within the rules' span over these layers is named as such.
 */
function describeDepthScale(prediction: Prediction, verdict: Verdict): string {
  const { chiStar, qStar, qLimit, xi, trend } = prediction.depthScale;
  const where = qLimit === 'fixed-point' ? `at q* = ${formatNumber(qStar)}` : qLimit === 'to-zero' ? 'as q → 0 with depth' : 'as q → ∞ with depth';
  const head = `depth scale: χ* = ${formatNumber(chiStar)} ${where}`;
  if (!Number.isFinite(chiStar)) return `${head}: not finite`;
  if (xi === null) return `${head}: χ* = 1, gradient variance is preserved from layer to layer (ξ infinite)`;
  const layers = formatNumber(Math.abs(xi));
  const hidden = verdict.gradientRatio.filter((ratio): ratio is number => ratio !== null && Number.isFinite(ratio) && ratio > 0);
  const flagged = verdict.flags.some((flags) => flags.includes(trend === 'vanishing' ? 'vanishing' : 'exploding'));
  const extreme = hidden.length === 0 ? null : trend === 'vanishing' ? Math.min(...hidden) : Math.max(...hidden);
  const over =
    extreme === null
      ? ''
      : flagged
        ? `; over these ${hidden.length} hidden layers the gradient energy changes ×10^${Math.log10(extreme).toFixed(1)}, beyond the flags' 10^${Math.log10(GRADIENT_SPAN)} (${trend})`
        : `; over these ${hidden.length} hidden layers only ×10^${Math.log10(extreme).toFixed(1)} of gradient energy, within the flags' 10^${Math.log10(GRADIENT_SPAN)} (not flagged)`;
  return trend === 'vanishing'
    ? `${head}: ξ = −1/ln χ* = ${layers}; the gradient variance shrinks ×1/e every ${layers} layers toward the input${over}`
    : `${head}: ξ = −1/ln χ* = −${layers}; the gradient variance grows ×e every ${layers} layers toward the input${over}`;
}

/** The phase numbers, one line each with what it means (Schoenholz et al. 2017). */
export function describePhase(p: PhaseNumbers): string[] {
  const f = formatNumber;
  const head = `order and chaos (Schoenholz et al. 2017) at σw² = ${f(p.sigmaW2)}, σb² = ${f(p.sigmaB2)}: ${p.phase === null ? 'no fixed point' : `${p.phase} phase`}`;
  if (p.qLimit !== 'fixed-point') {
    return [head, `  q* = ${p.qLimit === 'to-infinity' ? '∞' : '0'}: the pre-activation variance ${p.qLimit === 'to-infinity' ? 'grows without bound' : 'dies out'} with depth, so the correlation map has no fixed point to study (χ₁ = ${f(p.chi1)} in the limit).`];
  }
  const lines = [
    head,
    `  q*  = ${f(p.qStar)}: the pre-activation variance every deep layer settles at, whatever the input's.`,
    `  χ₁  = ${f(p.chi1)}: σw²·E[φ'(√q* z)²], the gradient's factor per layer and the correlation map's slope at c = 1; ${p.phase === 'ordered' ? 'below 1, so nearby inputs converge (ordered)' : p.phase === 'chaotic' ? 'above 1, so nearby inputs are driven apart (chaotic)' : '1: the edge of chaos'}.`,
    `  c*  = ${f(p.cStar)}: the correlation two different inputs' pre-activations end up with in deep layers${p.cStar === 1 ? ' (1: every input looks the same there)' : ''}.`,
    `  χ_c = ${f(p.chiC)}: the correlation map's slope at c*; how fast a difference from c* fades per layer.`,
    `  ξ_q = ${f(p.xiQ)}: layers over which q forgets the input's scale (−1/ln of the length map's slope at q*).`,
    `  ξ_c = ${f(p.xiC)}: layers over which information about how two inputs differ survives (−1/ln χ_c); nets of depth ≲ 6ξ_c = ${f(p.xiC === null ? null : 6 * p.xiC)} train.`,
  ];
  return lines;
}

function renderTable(config: RunConfig, input: InputShape, prediction: Prediction, phase: PhaseNumbers, verdict: Verdict, useColor: NodeJS.WriteStream, maxWidth?: number): string {
  const color = chalkFor(useColor);
  const layers = prediction.layers;
  const column = (head: string, cell: (layer: Prediction['layers'][number], l: number) => string, dropOrder?: number): TableColumn => ({
    head,
    cells: layers.map(cell),
    dropOrder,
  });
  // Narrow terminals lose σw² first, then the φ(z) moments and χ; layer, shape, q, the gradient and the flags stay.
  const columns: TableColumn[] = [
    column('layer', (layer) => (layer.kind === 'output' ? `${layer.index} out` : String(layer.index))),
    column('shape', (layer) => `${layer.fanIn}→${layer.fanOut}`),
    column('σw²', (layer) => formatNumber(layer.sigmaW2), 1),
    column('z var q', (layer) => formatNumber(layer.preactVar), 6),
    column('φ(z) mean', (layer) => formatNumber(layer.actMean), 2),
    column('φ(z) var', (layer) => formatNumber(layer.actVar), 3),
    column('χ', (layer) => formatNumber(layer.chi), 4),
    column('grad var ÷ out', (layer) => formatNumber(layer.gradVarRatio)),
    column('sat', (layer) => (layer.saturated === null ? '–' : Number.isFinite(layer.saturated) ? `${(layer.saturated * 100).toFixed(1)}%` : formatNumber(layer.saturated)), 5),
    { ...column('flags', (_layer, l) => (verdict.flags[l] ?? []).join(', ')), wraps: true, paint: (text: string) => color.yellow(text) },
  ];
  const fitted = fittedTable(color, columns, maxWidth);
  const note = droppedNote(fitted.dropped);
  const shape = [input.features, ...config.layers, input.classes].join('→');
  return [
    color.bold(`Mean-field prediction at initialization: ${shape}, --act ${config.act}, --init ${config.init}, E[x²] = ${formatNumber(input.inputSecondMoment)} (--data ${config.data})`),
    fitted.table,
    ...(note ? [note] : []),
    describeDepthScale(prediction, verdict),
    "χ = σw²(l+1)·E[φ'(z)²]; going down from layer l+1 to l the gradient variance is multiplied by χ·n(l+1)/n(l).",
    ...describePhase(phase),
    `verdict: ${verdict.verdict} at step 0 (run's flag rules applied to the predicted numbers; whether the net then learns, only a run shows: not-learning)`,
    '',
  ].join('\n');
}

export function theoryCommand(): Command {
  const command = new Command('theory');
  addRunOptions(command, (entry, help) => (MODEL_KEYS.has(entry.key) ? help : `${help}; training only: no effect on the prediction`));
  return command
    .description('mean-field prediction at initialization (z var, χ, gradient variance, saturation) for the net run builds')
    .option('--json', 'print JSON on stdout')
    .option('--wide', 'print every table column even if wider than the terminal')
    .option('--map', 'instead: the order-to-chaos map of --act over σw² × σb² (phases, critical line, ξ_c)')
    .option('--sigma-w2 <lo,hi>', 'with --map: the σw² range', COMMAND_DEFAULTS.phaseMap.sigmaW2)
    .option('--sigma-b2 <lo,hi>', 'with --map: the σb² range', COMMAND_DEFAULTS.phaseMap.sigmaB2)
    .option('--grid <CxR>', 'with --map: grid points, σw² columns x σb² rows', COMMAND_DEFAULTS.phaseMap.grid)
    .option('--picture <file>', 'with --map: also draw it as FILE.svg or FILE.png')
    .addHelpText('after', '\nExamples:\n  $ vgrad theory --act tanh --init normal1 --depth 10\n  $ vgrad theory --act selu --init lecun --layers 300,100,100,100 --json\n  $ vgrad theory --act tanh --init vs:scale=1.5,mode=fan_in --bias-std 0.2236\n  $ vgrad theory --map --act tanh --picture phase-map.png')
    .action(async (flags: TheoryFlags) => {
      if (flags.map) return printPhaseMap(flags);
      if (flags.picture !== undefined) throw new UsageError('--picture draws the map: give it with --map');
      const config = parseRunConfig(flags);
      if (config.batchNorm) {
        const bn = predictBatchNorm(config.act, config.layers);
        if (flags.json) {
          process.stdout.write(`${toJson({ schema: 'vgrad.theory-bn/1', config: { layers: config.layers, depth: config.depth, act: config.act, batchNorm: config.batchNorm }, ...bn })}\n`);
          return;
        }
        const lines = [
          `batch norm at initialization · ${config.act} · ${config.depth} hidden layers`,
          '',
          'layer  ẑ var  grad var ÷ top hidden layer',
          ...bn.layers.map((l) => `${String(l.index).padStart(5)}  ${formatNumber(l.normalizedVar).padStart(5)}  ${l.gradVarRelativeToTop === null ? '–' : formatNumber(l.gradVarRelativeToTop)}`),
          '',
          'ẑ var = 1 per unit at every depth: batch norm standardizes z over the batch (γ = 1, β = 0 at init; up to ε/σ²).',
          bn.growthPerLayer === null
            ? `Gradient: grows geometrically toward the input (Yang et al. 2019); ${bn.source}.`
            : `Gradient: grad var grows ×${formatNumber(bn.growthPerLayer)} per layer toward the input, as Yang et al. 2019 predict in kind (geometric explosion at init); the rate is a ${bn.source}.`,
          '–: no prediction (no measured rate; layer 1, whose z is the data\'s; or below a change of width: the law was measured across equal widths from layer 2 up).',
          'The mean-field columns of vgrad theory without --batch-norm do not apply to a batch-normalized net.',
          '',
        ];
        writeStdout(lines.join('\n'));
        return;
      }
      const input = inputMomentFor(dataOptionsOf(config));
      if (config.initFrom !== null) {
        // Read and checked as run would (a corrupt file is refused); the prediction itself is for random weights.
        readWeightsFile(config.initFrom, [input.features, ...config.layers, input.classes]);
        process.stderr.write(`note: --init-from ${config.initFrom} read and checked; the mean-field prediction is for random weights (--init ${config.init}), not the loaded ones\n`);
      }
      // ~1 ms a layer (--depth 1000000 takes many minutes): in steps a signal can stop.
      const prediction = await predictForConfigPaced(config, input, pacer(undefined, () => 'while predicting the layers'));
      const verdict = judgePrediction(prediction, config.act, config.alpha);
      const phase = phaseForConfig(config, input);
      const phaseJson = { qStar: phase.qStar, chi1: phase.chi1, cStar: phase.cStar, chiC: phase.chiC, xiQ: phase.xiQ, xiC: phase.xiC, sigmaW2: phase.sigmaW2, sigmaB2: phase.sigmaB2, phase: phase.phase };
      if (flags.json) {
        const model = { layers: config.layers, depth: config.depth, act: config.act, alpha: config.alpha, init: config.init, gain: config.gain, biasStd: config.biasStd, data: config.data, standardize: config.standardize };
        process.stdout.write(`${toJson({ schema: 'vgrad.theory/1', config: model, features: input.features, classes: input.classes, inputSecondMoment: input.inputSecondMoment, ...prediction, phase: phaseJson, verdict: verdict.verdict, flags: verdict.flags })}\n`);
        return;
      }
      const maxWidth = outputWidth(process.stdout, flags.wide);
      writeStdout(fitLines(renderTable(config, input, prediction, phase, verdict, process.stdout, maxWidth), maxWidth));
    });
}
