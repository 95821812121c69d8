/**
 * Merging sweep folders (the shards of one sweep, run on other machines or array tasks) into one.
 * A cell found in several folders must have the same config everywhere, else nothing is written;
 * each cell is copied into place under the store's claim and rename; the summary is rebuilt.
 */
import { basename, join, resolve } from 'node:path';
import { isUsageError, UsageError } from '../util/errors.js';
import { copyCellInto, removeSweepLeftovers } from '../store/cellStore.js';
import { canonicalJson, cellId, finishedCellIds, isRunFolder, isSafeComponent, isSweepFolder, sweepDirOf } from '../store/layout.js';
import type { Axis, CellConfig, CellFile, SweepManifest } from '../store/record.js';
import { readCellFile, readRunConfigFile, readSweepManifest } from '../store/read.js';
import { ensureFolder } from '../store/runStore.js';
import { collectRows, writeSummaries } from './results.js';
import { writeManifest } from './sweepFolder.js';

interface Found {
  dir: string;
  id: string;
  /** The resolved config.json text, canonical. */
  resolved: string;
  resolvedObject: Record<string, unknown>;
}

function firstDifference(a: Record<string, unknown>, b: Record<string, unknown>): string {
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (canonicalJson(a[key]) !== canonicalJson(b[key])) return `${key} ${canonicalJson(a[key])} vs ${canonicalJson(b[key])}`;
  }
  return 'no field differs';
}

function readFound(dir: string, id: string): Found {
  const cellDir = join(dir, id);
  let cell: CellFile;
  let resolvedObject: Record<string, unknown>;
  try {
    cell = readCellFile(cellDir);
    resolvedObject = readRunConfigFile(cellDir);
  } catch (error) {
    if (isUsageError(error)) throw new UsageError(`${error.message}; nothing merged`);
    throw error;
  }
  if (cell.id !== id || cellId(cell.config) !== id) throw new UsageError(`${cellDir}: its config does not match its id; nothing merged`);
  const { out: _out, ...rest } = resolvedObject;
  return { dir, id, resolved: canonicalJson(rest), resolvedObject: rest };
}

function mergeAxes(manifests: SweepManifest[]): Axis[] {
  const merged = new Map<string, Axis>();
  for (const manifest of manifests) {
    for (const axis of manifest.axes) {
      const known = merged.get(axis.key) ?? { key: axis.key, values: [] };
      for (const value of axis.values) if (!known.values.includes(value)) known.values.push(value);
      merged.set(axis.key, known);
    }
  }
  return [...merged.values()];
}

export interface MergeResult {
  target: string;
  /** Distinct finished cells found across the folders (the target's own included). */
  cells: number;
  copied: number;
  /** Cells a live process is writing in the target: left to it. */
  busy: string[];
  /** Summary rows written (finished cells). */
  rows: number;
  /** Cells the merged plan holds. */
  planned: number;
}

/**
 * Merges the sweep folders `dirs` into `into` (default ROOT/sweeps/<name>, when they hold one
 * sweep). Every cell is read and checked before anything is written.
 */
export function mergeSweeps(dirs: string[], options: { into?: string; root: string }): MergeResult {
  const manifests = dirs.map((dir) => readSweepManifest(dir));
  const names = new Set(manifests.map((m) => m.name));
  if (options.into === undefined && names.size > 1) throw new UsageError(`the folders hold different sweeps (${[...names].join(', ')}); give --into DIR`);
  const target = options.into ?? sweepDirOf(options.root, manifests[0].name);
  const targetName = basename(resolve(target));
  if (!isSafeComponent(targetName)) throw new UsageError(`--into '${target}': the folder name must be a safe sweep name (letters, digits, '.', '_', '-', '=')`);
  const targetManifests = isSweepFolder(target) ? [readSweepManifest(target)] : [];

  // Every cell, from every folder (the target's own included), checked before anything is written.
  const byId = new Map<string, Found>();
  const sources = [...(targetManifests.length ? [target] : []), ...dirs];
  for (const dir of sources) {
    for (const id of finishedCellIds(dir)) {
      const found = readFound(dir, id);
      const known = byId.get(id);
      if (known && known.resolved !== found.resolved) {
        throw new UsageError(`cell ${id}: configs disagree between ${known.dir} and ${dir} (${firstDifference(known.resolvedObject, found.resolvedObject)}); nothing merged`);
      }
      if (!known) byId.set(id, found);
    }
  }

  const all = [...targetManifests, ...manifests];
  const cells: SweepManifest['cells'] = [];
  const seen = new Set<string>();
  for (const manifest of all) for (const cell of manifest.cells) if (!seen.has(cell.id)) (seen.add(cell.id), cells.push(cell));
  const merged: SweepManifest = { ...all[0], name: targetName, axes: mergeAxes(all), cells };

  ensureFolder(target, '--into');
  removeSweepLeftovers(target);
  let copied = 0;
  const busy: string[] = [];
  for (const found of byId.values()) {
    if (resolve(found.dir) === resolve(target) || isRunFolder(join(target, found.id))) continue;
    const outcome = copyCellInto(target, join(found.dir, found.id), found.id);
    if (outcome === 'copied') copied++;
    else if (outcome === 'busy') busy.push(found.id);
  }
  writeManifest(target, merged);
  const rows = collectRows(target, merged, new Map<string, CellConfig>(), true);
  writeSummaries(target, rows);
  return { target, cells: byId.size, copied, busy, rows: rows.length, planned: cells.length };
}
