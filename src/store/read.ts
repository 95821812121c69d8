/**
 * The one reader of stored files: summary.json (the run record), metrics.jsonl (every probe
 * point), cell.json, config.json and sweep.json. Each is schema-checked (recordSchema.ts); a file
 * that is not what it should be is a one-line UsageError naming the file and what is wrong, and
 * the non-finite markers ("+Inf", "-Inf", "NaN") become numbers again.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../util/errors.js';
import { CELL_FILE, CONFIG_FILE, METRICS_FILE, SWEEP_FILE, summaryPathOf } from './layout.js';
import { type CellFile, fromMarker, NON_FINITE_MARKERS, type NonFiniteMarker, type RunRecord, type StoredPoint, type SweepManifest } from './record.js';
import { decodeCellFile, decodeRunRecord, decodeSweepManifest } from './recordSchema.js';
import { readTextCapped, rethrowReadProblem } from '../util/readFile.js';

function decodeMarkers(value: unknown): unknown {
  if (typeof value === 'string' && (NON_FINITE_MARKERS as readonly string[]).includes(value)) return fromMarker(value as NonFiniteMarker);
  if (Array.isArray(value)) return value.map(decodeMarkers);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeMarkers(v)]));
  return value;
}

/** The first line of why reading or parsing failed, e.g. "ENOENT: no such file or directory, open '…'". */
function firstLine(error: unknown): string {
  return (error as Error).message.split('\n')[0];
}

/** A JSON file's value; a one-line UsageError `PATH: cannot read WHAT (why)` if it cannot be read or parsed. */
function readJsonFile(path: string, what: string): unknown {
  try {
    return JSON.parse(readTextCapped(path, 'record'));
  } catch (error) {
    rethrowReadProblem(error, path);
    throw new UsageError(`${path}: cannot read ${what} (${firstLine(error)})`);
  }
}

/** The probe points of a run folder's metrics.jsonl; a one-line UsageError if a line is not a point. */
export function readProbePoints(runDir: string): StoredPoint[] {
  const path = join(runDir, METRICS_FILE);
  let text: string;
  try {
    text = readTextCapped(path, 'metrics');
  } catch (error) {
    rethrowReadProblem(error, path);
    throw new UsageError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      let point: StoredPoint;
      try {
        point = decodeMarkers(JSON.parse(line)) as StoredPoint;
      } catch {
        throw new UsageError(`${path}: line ${i + 1} is not JSON`);
      }
      if (typeof point?.step !== 'number' || !Array.isArray(point.layers)) throw new UsageError(`${path}: line ${i + 1} is not a probe point (step, layers)`);
      return point;
    });
}

/** Reads and validates a stored record (summary.json); non-finite markers become numbers again. One-line UsageError otherwise. */
export function readRunRecord(path: string): RunRecord {
  const decoded = decodeRunRecord(readJsonFile(path, 'a run record'));
  if ('problem' in decoded) throw new UsageError(`${path}: ${decoded.problem}`);
  return decoded.record;
}

/** A run folder's record and probe points (none if it has no metrics.jsonl). `summaryPath` is its summary.json. */
export function readStoredRun(summaryPath: string): { record: RunRecord; points: StoredPoint[]; runDir: string } {
  const record = readRunRecord(summaryPath);
  const runDir = dirname(summaryPath);
  const points = existsSync(join(runDir, METRICS_FILE)) ? readProbePoints(runDir) : [];
  // A metrics.jsonl from another net (copied in, or edited) would be charted as this run's: refused.
  const wrong = points.find((point) => point.layers.length !== record.layers.length);
  if (wrong !== undefined) {
    throw new UsageError(`${join(runDir, METRICS_FILE)}: the point at step ${wrong.step} has ${wrong.layers.length} layers but the record (summary.json) has ${record.layers.length}; the metrics are not this run's`);
  }
  return { record, points, runDir };
}

/** A run folder's config.json: the resolved config it ran with, as an object. */
export function readRunConfigFile(runDir: string): Record<string, unknown> {
  const path = join(runDir, CONFIG_FILE);
  const value = readJsonFile(path, 'the run config');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${path}: not a run config (an object of settings)`);
  return value as Record<string, unknown>;
}

/** A cell folder's cell.json, checked. */
export function readCellFile(cellDir: string): CellFile {
  const path = join(cellDir, CELL_FILE);
  const decoded = decodeCellFile(readJsonFile(path, 'the cell file'));
  if ('problem' in decoded) throw new UsageError(`${path}: ${decoded.problem}`);
  return decoded.cell;
}

/** A finished cell of a sweep folder: its cell.json and its record. */
export function readCell(sweepDir: string, id: string): { cell: CellFile; record: RunRecord } {
  const cellDir = join(sweepDir, id);
  return { cell: readCellFile(cellDir), record: readRunRecord(summaryPathOf(cellDir)) };
}

/** A sweep folder's sweep.json, checked. */
export function readSweepManifest(sweepDir: string): SweepManifest {
  const path = join(sweepDir, SWEEP_FILE);
  let value: unknown;
  try {
    value = JSON.parse(readTextCapped(path, 'record'));
  } catch (error) {
    rethrowReadProblem(error, path);
    throw new UsageError(`${sweepDir}: not a sweep folder (cannot read ${SWEEP_FILE}: ${(error as NodeJS.ErrnoException).code ?? firstLine(error)})`);
  }
  const decoded = decodeSweepManifest(value);
  if ('problem' in decoded) throw new UsageError(`${path}: ${decoded.problem}`);
  return decoded.manifest;
}
