/**
 * The schemas of the stored JSON files (zod), so a file with the right schema id but missing or
 * wrong parts is refused with one line naming the field.
 * - run records, vgrad.run/2 and /1: the non-finite markers ("+Inf", "-Inf", "NaN") become numbers
 *   again, so the report code sees exactly the numbers the live run had;
 * - cell.json (vgrad.cell/1) and sweep.json (vgrad.sweep/1): checked, and returned as written (key
 *   order included: the summary's columns follow the cell config's).
 */
import { z } from 'zod';
import { CELL_SCHEMA, type CellFile, fromMarker, NON_FINITE_MARKERS, RUN_SCHEMA, RUN_SCHEMA_V1, type RunRecord, SWEEP_SCHEMA, type SweepManifest } from './record.js';
import { escapeStrings } from '../util/controlChars.js';

/** A /2 number: finite, or a marker decoded back to ±Infinity or NaN. */
const num2 = z.union([z.number(), z.enum(NON_FINITE_MARKERS).transform(fromMarker)]);
/** A /1 number: non-finite values were written as null, so null stands for "some non-finite value". */
const num1 = z.number().nullable();

function recordSchema(num: z.ZodType<number | null>, schemaId: string, statuses: [string, ...string[]]) {
  const count = z.number().int().nonnegative();
  // Every statistic is a number; some are null by definition (output layer's sat/dead, updateRatio at step 0).
  const stats = z
    .object({ preactVar: num.nullable(), actVar: num.nullable(), gradVar: num.nullable(), weightGradNorm: num.nullable() })
    .catchall(num.nullable());
  return z.object({
    schema: z.literal(schemaId),
    runId: z.string(),
    // The report reads these settings; the rest are kept as they are.
    config: z
      .object({
        layers: z.array(count).min(1),
        depth: count,
        act: z.string(),
        init: z.string(),
        optimizer: z.string(),
        lr: z.number(),
        batch: count,
        seed: z.number(),
        data: z.string(),
      })
      .loose(),
    backend: z.object({ name: z.string(), version: z.string(), threads: count.min(1).optional() }).loose(),
    data: z.object({ name: z.string(), trainSamples: count, testSamples: count, probeSamples: count, features: count, inputSecondMoment: num.optional() }).loose(),
    status: z.enum(statuses),
    divergedAt: count.nullable(),
    final: z.object({ step: count, loss: num, trainAcc: num, testAcc: num }).loose(),
    layers: z
      .array(
        z.object({ index: count, kind: z.enum(['hidden', 'output']), fanIn: count, fanOut: count, initial: stats, final: stats }).loose(),
      )
      .min(1),
    timing: z.object({ trainMs: num, msPerStep: num.nullable() }).loose(),
  }).loose();
}

const RECORD_SCHEMAS: Record<string, z.ZodType> = {
  [RUN_SCHEMA]: recordSchema(num2, RUN_SCHEMA, ['ok', 'diverged', 'interrupted']),
  [RUN_SCHEMA_V1]: recordSchema(num1, RUN_SCHEMA_V1, ['ok', 'diverged']),
};

/** Why a parsed JSON value is not a run record, in one line; or the decoded record. */
export function decodeRunRecord(value: unknown): { record: RunRecord } | { problem: string } {
  const id = (value as { schema?: unknown } | null)?.schema;
  const schema = typeof id === 'string' ? RECORD_SCHEMAS[id] : undefined;
  if (!schema) {
    return { problem: `not a run record (schema ${JSON.stringify(id ?? null)}; readable: ${Object.keys(RECORD_SCHEMAS).join(', ')})` };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) {
    // A /1 record may hold null where the type says number: the report shows null as "–".
    // Text in a record is shown on terminals, in CSV, SVG and HTML: control characters escaped.
    return { record: escapeStrings(parsed.data as RunRecord) };
  }
  return { problem: `not a valid ${id} record: ${firstIssue(parsed.error)}` };
}

/** The first thing wrong, in one line: "layers.0.initial: missing". */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(record)';
  const what = issue.code === 'invalid_type' && /received undefined/.test(issue.message) ? 'missing' : issue.message.replace(/\s+/g, ' ');
  return `${field}: ${what}`;
}

const axisValue = z.union([z.string(), z.boolean()]);
const overrides = z.record(z.string(), axisValue);

const cellSchema = z
  .object({
    schema: z.literal(CELL_SCHEMA),
    id: z.string().min(1),
    overrides,
    // The settings the id hashes and the summary reads; the rest are kept as they are.
    config: z.object({ layers: z.array(z.number().int().positive()).min(1), depth: z.number().int().positive(), act: z.string(), init: z.string(), seed: z.number() }).loose(),
  })
  .loose();

const sweepSchema = z
  .object({
    schema: z.literal(SWEEP_SCHEMA),
    name: z.string().min(1),
    description: z.string().nullable(),
    source: z.string(),
    axes: z.array(z.object({ key: z.string(), values: z.array(axisValue) }).loose()),
    fixed: overrides,
    cells: z.array(z.object({ id: z.string().min(1), overrides }).loose()),
    expectations: z.array(z.unknown()),
  })
  .loose();

/** Why a parsed JSON value is not a cell.json, in one line; or the cell file as written. */
export function decodeCellFile(value: unknown): { cell: CellFile } | { problem: string } {
  const parsed = cellSchema.safeParse(value);
  return parsed.success ? { cell: escapeStrings(value as CellFile) } : { problem: `not a ${CELL_SCHEMA} file: ${firstIssue(parsed.error)}` };
}

/** Why a parsed JSON value is not a sweep.json, in one line; or the manifest as written. */
export function decodeSweepManifest(value: unknown): { manifest: SweepManifest } | { problem: string } {
  const parsed = sweepSchema.safeParse(value);
  return parsed.success ? { manifest: escapeStrings(value as SweepManifest) } : { problem: `not a ${SWEEP_SCHEMA} file: ${firstIssue(parsed.error)}` };
}
