/**
 * The first line of a run report: the net and every setting that differs from the defaults, so two
 * reports side by side say how their runs differ. Settings that only matter with a particular
 * activation, initializer or optimizer (alpha, gain, momentum) are said whenever they matter.
 */
import { optimizerFacts } from '../config/optimizers.js';
import { DEFAULTS } from '../config/runConfig.js';
import { activationFacts } from '../model/activations.js';
import { initEntry } from '../model/initializers.js';
import type { RunRecord } from '../store/record.js';
import { displayWidth } from './fitWidth.js';

/** Runs of three or more equal widths as W×N: [300, 100, …, 100] → "300, 100×999". */
export function compressWidths(widths: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < widths.length; ) {
    let j = i;
    while (j < widths.length && widths[j] === widths[i]) j++;
    const run = j - i;
    parts.push(run >= 3 ? `${widths[i]}×${run}` : Array(run).fill(String(widths[i])).join(', '));
    i = j;
  }
  return parts.join(', ');
}

/** The header's parts, to be joined with " · " (and wrapped between parts on a narrow terminal). */
export function runHeaderParts(record: RunRecord): string[] {
  const c = record.config;
  const differs = <K extends keyof typeof DEFAULTS>(key: K, value: unknown) => value !== undefined && value !== DEFAULTS[key];
  const parts: string[] = [];
  parts.push(activationFacts(c.act)?.usesAlpha ? `${c.act} alpha ${c.alpha}` : c.act);
  parts.push(initEntry(c.init)?.usesGain ? `${c.init} gain ${c.gain}` : c.init);
  if (typeof c.biasStd === 'number' && c.biasStd !== 0) parts.push(`bias std ${c.biasStd}`);
  parts.push(`${c.layers.length} hidden ${c.layers.length === 1 ? 'layer' : 'layers'} [${compressWidths(c.layers)}]`);
  parts.push(optimizerFacts(c.optimizer)?.usesMomentum ? `${c.optimizer} ${c.momentum} lr ${c.lr}` : `${c.optimizer} lr ${c.lr}`);
  parts.push(`batch ${c.batch}`);
  if (c.batchNorm) {
    const bnDefaults = c.batchNorm.momentum === DEFAULTS.bnMomentum && c.batchNorm.eps === DEFAULTS.bnEps;
    parts.push(bnDefaults ? 'batch norm' : `batch norm momentum ${c.batchNorm.momentum} ε ${c.batchNorm.eps}`);
  }
  if (c.clipValue !== undefined) parts.push(`clip value ${c.clipValue}`);
  if (c.clipNorm !== undefined) parts.push(`clip norm ${c.clipNorm}`);
  if (c.epochs !== null && c.epochs !== undefined) parts.push(`epochs ${c.epochs} (${c.steps} steps)`);
  else if (differs('steps', c.steps)) parts.push(`steps ${c.steps}`);
  parts.push(`seed ${c.seed}`);
  parts.push(record.data.name);
  if (c.standardize) parts.push('standardized');
  if (c.trainSize !== null && c.trainSize !== undefined) parts.push(`train size ${c.trainSize}`);
  if (c.testSize !== null && c.testSize !== undefined) parts.push(`test size ${c.testSize}`);
  if (differs('probeSize', c.probeSize)) parts.push(`probe size ${c.probeSize}`);
  if (differs('logEvery', c.logEvery)) parts.push(`log every ${c.logEvery}`);
  parts.push(record.backend.name);
  return parts;
}

/** The header as lines no wider than `maxWidth` (one line when undefined), breaking between parts. */
export function runHeader(record: RunRecord, maxWidth?: number): string {
  const parts = runHeaderParts(record);
  if (maxWidth === undefined) return parts.join(' · ');
  const lines: string[] = [];
  let line = '';
  for (const part of parts) {
    const next = line === '' ? part : `${line} · ${part}`;
    if (line !== '' && displayWidth(next) > maxWidth) {
      lines.push(line);
      line = part;
    } else line = next;
  }
  lines.push(line);
  return lines.join('\n');
}
