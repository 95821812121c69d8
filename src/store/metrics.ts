/**
 * Reading a stored run back whole: summary.json (the record) and metrics.jsonl (every probe point),
 * with the non-finite markers ("+Inf", "-Inf", "NaN") turned back into numbers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../util/errors.js';
import { fromMarker, NON_FINITE_MARKERS, type NonFiniteMarker, type RunRecord, type StoredPoint } from './record.js';
import { decodeRunRecord } from './recordSchema.js';

function decodeMarkers(value: unknown): unknown {
  if (typeof value === 'string' && (NON_FINITE_MARKERS as readonly string[]).includes(value)) return fromMarker(value as NonFiniteMarker);
  if (Array.isArray(value)) return value.map(decodeMarkers);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeMarkers(v)]));
  return value;
}

/** The probe points of a run folder's metrics.jsonl; a one-line UsageError if a line is not a point. */
export function readProbePoints(runDir: string): StoredPoint[] {
  const path = join(runDir, 'metrics.jsonl');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
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
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`${path}: cannot read a run record (${(error as Error).message.split('\n')[0]})`);
  }
  const decoded = decodeRunRecord(value);
  if ('problem' in decoded) throw new UsageError(`${path}: ${decoded.problem}`);
  return decoded.record;
}

/** A run folder's record and probe points. `summaryPath` is its summary.json. */
export function readStoredRun(summaryPath: string): { record: RunRecord; points: StoredPoint[]; runDir: string } {
  const record = readRunRecord(summaryPath);
  const runDir = dirname(summaryPath);
  return { record, points: existsSync(join(runDir, 'metrics.jsonl')) ? readProbePoints(runDir) : [], runDir };
}
