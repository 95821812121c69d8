/**
 * Reading run records back: zod schemas for vgrad.run/2 and /1, so a record with the right schema
 * id but missing or wrong parts is refused with one line naming the field, and the non-finite
 * markers ("+Inf", "-Inf", "NaN") become numbers again: the report code then sees exactly the
 * numbers the live run had.
 */
import { z } from 'zod';
import { fromMarker, NON_FINITE_MARKERS, RUN_SCHEMA, RUN_SCHEMA_V1, type RunRecord } from './record.js';

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
    return { record: parsed.data as RunRecord };
  }
  const issue = parsed.error.issues[0];
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(record)';
  const what = issue.code === 'invalid_type' && /received undefined/.test(issue.message) ? 'missing' : issue.message.replace(/\s+/g, ' ');
  return { problem: `not a valid ${id} record: ${field}: ${what}` };
}
