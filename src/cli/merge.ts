/**
 * `vgrad merge DIR…`: combines sweep folders (the shards of one sweep, run on other machines or
 * array tasks) into one. A cell found in several folders must have the same config everywhere,
 * else nothing is written; each cell is copied into place atomically; the summary is rebuilt.
 */
import { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../util/errors.js';
import { DEFAULTS } from '../config/runConfig.js';
import { canonicalJson, cellId, isSafeComponent } from '../sweep/cellId.js';
import { copyCellInto } from '../sweep/cellStore.js';
import type { Axis } from '../sweep/grid.js';
import { collectRows, writeSummaries } from '../sweep/results.js';
import {
  ensureSweepDir,
  finishedCellIds,
  readJson,
  readManifest,
  removeStale,
  sweepDirFor,
  writeJsonAtomic,
  type CellFile,
  type SweepManifest,
} from '../sweep/sweepFolder.js';

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
    cell = readJson<CellFile>(join(cellDir, 'cell.json'));
    resolvedObject = JSON.parse(readFileSync(join(cellDir, 'config.json'), 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`${cellDir}: cannot read the cell (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); nothing merged`);
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

export function mergeCommand(): Command {
  return new Command('merge')
    .description('combine sweep folders (e.g. shards) into one, refusing cells whose configs disagree')
    .argument('<dirs...>', 'sweep folders, e.g. shard-0/sweeps/quickstart shard-1/sweeps/quickstart')
    .option('--into <dir>', 'the merged sweep folder (default: OUT/sweeps/<name>)')
    .option('--out <dir>', 'results root for the default --into', DEFAULTS.out)
    .option('--quiet', 'no message on stderr')
    .addHelpText('after', '\nExample:\n  $ vgrad merge shard-*/sweeps/quickstart --into results/sweeps/quickstart')
    .action((dirs: string[], flags: { into?: string; out: string; quiet?: boolean }) => {
      const manifests = dirs.map((dir) => readManifest(dir));
      const names = new Set(manifests.map((m) => m.name));
      if (flags.into === undefined && names.size > 1) throw new UsageError(`the folders hold different sweeps (${[...names].join(', ')}); give --into DIR`);
      const target = flags.into ?? sweepDirFor(flags.out, manifests[0].name);
      const targetName = basename(resolve(target));
      if (!isSafeComponent(targetName)) throw new UsageError(`--into '${target}': the folder name must be a safe sweep name (letters, digits, '.', '_', '-', '=')`);
      const targetManifests = existsSync(join(target, 'sweep.json')) ? [readManifest(target)] : [];

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

      ensureSweepDir(target, '--into');
      removeStale(target);
      let copied = 0;
      const busy: string[] = [];
      for (const found of byId.values()) {
        if (resolve(found.dir) === resolve(target) || existsSync(join(target, found.id, 'summary.json'))) continue;
        const outcome = copyCellInto(target, join(found.dir, found.id), found.id);
        if (outcome === 'copied') copied++;
        else if (outcome === 'busy') busy.push(found.id);
      }
      writeJsonAtomic(join(target, 'sweep.json'), merged);
      const configs = new Map<string, CellFile['config']>();
      const rows = collectRows(target, merged, configs, true);
      writeSummaries(target, rows);
      if (!flags.quiet) {
        process.stderr.write(`merged ${byId.size} cells from ${dirs.length} folders into ${target} (${copied} copied, ${byId.size - copied - busy.length} already there); ${rows.length} of ${cells.length} planned cells finished\n`);
      }
      if (busy.length > 0) process.stderr.write(`vgrad: ${busy.length} cells are being written in ${target} by another live process and were left to it: ${busy.join(', ')}\n`);
    });
}
