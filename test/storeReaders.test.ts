/**
 * Reading stored runs back (src/store/read.ts, recordSchema.ts) and the disk-error words
 * (diskErrors.ts), in process on hand-written files: what is accepted, which numbers come back,
 * and the one line a damaged file gets. show.test-style CLI checks live in cli.test/signals.test;
 * this file is the fast one mutation testing reruns for these modules (scripts/mutate-tests.mjs).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { UsageError } from '../src/util/errors.js';
import { DiskError, environmentProblem, guardWrite, injectedFault, isDiskError } from '../src/store/diskErrors.js';
import { readProbePoints, readRunRecord, readStoredRun } from '../src/store/read.js';
import { decodeRunRecord } from '../src/store/recordSchema.js';
import { tempDir } from './helpers.js';

const STATS = { preactVar: 1.5, actVar: 0.5, gradVar: 1e-6, weightGradNorm: 0.25, updateRatio: null };

/** A minimal complete vgrad.run/2 record (two layers), as JSON text would hold it. */
function recordJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema: 'vgrad.run/2',
    runId: '20261205-000000-relu-he-d1',
    config: { layers: [4], depth: 1, act: 'relu', init: 'he', optimizer: 'sgd', lr: 0.05, batch: 8, seed: 1, data: 'gaussian', extra: 'kept' },
    backend: { name: 'wasm', version: '4.22.0', coreVersion: '4.22.0', features: {} },
    data: { name: 'gaussian', trainSamples: 32, testSamples: 16, probeSamples: 16, features: 784, inputSecondMoment: 1 },
    status: 'ok',
    divergedAt: null,
    final: { step: 5, loss: 2.25, trainAcc: 0.125, testAcc: 0.0625 },
    layers: [
      { index: 1, kind: 'hidden', fanIn: 784, fanOut: 4, initial: STATS, final: STATS },
      { index: 2, kind: 'output', fanIn: 4, fanOut: 10, initial: { ...STATS, deadFrac: null }, final: STATS },
    ],
    timing: { trainMs: 12.5, msPerStep: 2.5 },
    ...overrides,
  };
}

function problem(value: unknown): string {
  const decoded = decodeRunRecord(value);
  assert.ok('problem' in decoded, `accepted: ${JSON.stringify(value)}`);
  return decoded.problem;
}

describe('run records read back', () => {
  test('a complete /2 record is accepted as it is, unknown fields kept', () => {
    const value = recordJson();
    const decoded = decodeRunRecord(value);
    assert.ok('record' in decoded, JSON.stringify(decoded));
    assert.deepEqual(decoded.record, value);
    assert.equal((decoded.record.config as unknown as { extra: string }).extra, 'kept');
  });

  test('the non-finite markers of /2 become the numbers they stand for, wherever they are', () => {
    const value = recordJson({
      status: 'diverged',
      divergedAt: 3,
      final: { step: 3, loss: 'NaN', trainAcc: 0.1, testAcc: 0.1 },
      layers: [
        { index: 1, kind: 'hidden', fanIn: 784, fanOut: 4, initial: STATS, final: { ...STATS, gradVar: '+Inf', preactVar: '-Inf' } },
        { index: 2, kind: 'output', fanIn: 4, fanOut: 10, initial: STATS, final: { ...STATS, actVar: 'NaN' } },
      ],
    });
    const decoded = decodeRunRecord(value);
    assert.ok('record' in decoded, JSON.stringify(decoded));
    const { record } = decoded;
    assert.ok(Number.isNaN(record.final.loss));
    assert.equal(record.layers[0].final.gradVar, Infinity);
    assert.equal(record.layers[0].final.preactVar, -Infinity);
    assert.ok(Number.isNaN(record.layers[1].final.actVar as number));
    assert.equal(record.layers[0].initial.gradVar, 1e-6);
    assert.equal(record.status, 'diverged');
    assert.equal(record.divergedAt, 3);
  });

  test('/1 records: null stands for a non-finite number; /1 knows no "interrupted" and no markers', () => {
    const v1 = recordJson({ schema: 'vgrad.run/1', final: { step: 5, loss: null, trainAcc: 0.1, testAcc: 0.1 } });
    const decoded = decodeRunRecord(v1);
    assert.ok('record' in decoded, JSON.stringify(decoded));
    assert.equal(decoded.record.final.loss, null);
    assert.match(problem(recordJson({ schema: 'vgrad.run/1', status: 'interrupted' })), /^not a valid vgrad\.run\/1 record: status: /);
    assert.match(problem(recordJson({ schema: 'vgrad.run/1', final: { step: 5, loss: 'NaN', trainAcc: 0.1, testAcc: 0.1 } })), /^not a valid vgrad\.run\/1 record: final\.loss: /);
    // /2 writes markers, never null, for a non-finite final number.
    assert.match(problem(recordJson({ final: { step: 5, loss: null, trainAcc: 0.1, testAcc: 0.1 } })), /^not a valid vgrad\.run\/2 record: final\.loss: /);
    assert.equal('record' in decodeRunRecord(recordJson({ status: 'interrupted' })), true);
  });

  test('a wrong or missing schema id says which ids are readable', () => {
    assert.equal(problem({ schema: 'vgrad.run/9' }), 'not a run record (schema "vgrad.run/9"; readable: vgrad.run/2, vgrad.run/1)');
    assert.equal(problem({}), 'not a run record (schema null; readable: vgrad.run/2, vgrad.run/1)');
    assert.equal(problem(null), 'not a run record (schema null; readable: vgrad.run/2, vgrad.run/1)');
    assert.equal(problem([1, 2]), 'not a run record (schema null; readable: vgrad.run/2, vgrad.run/1)');
  });

  test('a damaged record names the first field that is wrong, by its path', () => {
    const { final: _final, ...noFinal } = recordJson();
    assert.equal(problem(noFinal), 'not a valid vgrad.run/2 record: final: missing');
    assert.match(problem(recordJson({ layers: [] })), /^not a valid vgrad\.run\/2 record: layers: /);
    assert.match(problem(recordJson({ config: { ...(recordJson().config as object), layers: [] } })), /^not a valid vgrad\.run\/2 record: config\.layers: /);
    assert.match(problem(recordJson({ config: { ...(recordJson().config as object), batch: 1.5 } })), /^not a valid vgrad\.run\/2 record: config\.batch: /);
    assert.match(problem(recordJson({ status: 'done' })), /^not a valid vgrad\.run\/2 record: status: /);
    assert.match(problem(recordJson({ divergedAt: -1 })), /^not a valid vgrad\.run\/2 record: divergedAt: /);
    assert.match(problem(recordJson({ data: { ...(recordJson().data as object), probeSamples: 'many' } })), /^not a valid vgrad\.run\/2 record: data\.probeSamples: /);
    assert.match(problem(recordJson({ backend: { name: 'wasm', version: '4', threads: 0 } })), /^not a valid vgrad\.run\/2 record: backend\.threads: /);
    const badLayer = recordJson();
    (badLayer.layers as Array<Record<string, unknown>>)[1].kind = 'final';
    assert.match(problem(badLayer), /^not a valid vgrad\.run\/2 record: layers\.1\.kind: /);
    const badStat = recordJson();
    (badStat.layers as Array<Record<string, unknown>>)[0].initial = { ...STATS, gradVar: 'big' };
    assert.match(problem(badStat), /^not a valid vgrad\.run\/2 record: layers\.0\.initial\.gradVar: /);
    const { timing: _timing, ...noTiming } = recordJson();
    assert.equal(problem(noTiming), 'not a valid vgrad.run/2 record: timing: missing');
    // Messages stay on one line.
    for (const message of [problem(noFinal), problem(badStat)]) assert.doesNotMatch(message, /\n/);
  });
});

describe('stored files read back', () => {
  test('summary.json: decoded, or one UsageError line naming the file', (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'summary.json');
    writeFileSync(path, JSON.stringify(recordJson({ final: { step: 5, loss: '+Inf', trainAcc: 0.1, testAcc: 0.1 } })));
    assert.equal(readRunRecord(path).final.loss, Infinity);
    writeFileSync(path, '{"schema": "vgrad.run/2", ');
    assert.throws(() => readRunRecord(path), (error: unknown) => error instanceof UsageError && error.message.startsWith(`${path}: cannot read a run record (`) && !error.message.includes('\n'));
    writeFileSync(path, JSON.stringify({ schema: 'other' }));
    assert.throws(() => readRunRecord(path), (error: unknown) => error instanceof UsageError && error.message === `${path}: not a run record (schema "other"; readable: vgrad.run/2, vgrad.run/1)`);
    assert.throws(() => readRunRecord(join(dir, 'absent.json')), (error: unknown) => error instanceof UsageError && error.message.includes('cannot read a run record'));
  });

  test('metrics.jsonl: one probe point per line, markers decoded in nested layers, blank lines skipped', (t) => {
    const dir = tempDir(t);
    const lines = [
      JSON.stringify({ step: 0, trainLoss: null, layers: [{ gradVar: '+Inf', hist: { grad: [1, 2] } }, { gradVar: 0.5 }] }),
      '',
      JSON.stringify({ step: 5, trainLoss: 'NaN', layers: [{ gradVar: '-Inf', preactVar: 2 }], note: 'NaN is a marker, "Nan" is not', other: 'Nan' }),
      '   ',
    ];
    writeFileSync(join(dir, 'metrics.jsonl'), `${lines.join('\n')}\n`);
    const points = readProbePoints(dir) as unknown as Array<Record<string, unknown> & { layers: Array<Record<string, unknown>> }>;
    assert.equal(points.length, 2);
    assert.deepEqual(points.map((p) => p.step), [0, 5]);
    assert.equal(points[0].layers[0].gradVar, Infinity);
    assert.deepEqual(points[0].layers[0].hist, { grad: [1, 2] });
    assert.equal(points[0].layers[1].gradVar, 0.5);
    assert.equal(points[0].trainLoss, null);
    assert.ok(Number.isNaN(points[1].trainLoss as number));
    assert.equal(points[1].layers[0].gradVar, -Infinity);
    assert.equal(points[1].other, 'Nan');
  });

  test('metrics.jsonl: a line that is not JSON, or not a probe point, is named by its number', (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'metrics.jsonl');
    writeFileSync(path, `${JSON.stringify({ step: 0, layers: [] })}\n{"step": 1, "lay\n`);
    assert.throws(() => readProbePoints(dir), (error: unknown) => error instanceof UsageError && error.message === `${path}: line 2 is not JSON`);
    writeFileSync(path, `${JSON.stringify({ step: 0, layers: [] })}\n${JSON.stringify({ step: '1', layers: [] })}\n`);
    assert.throws(() => readProbePoints(dir), (error: unknown) => error instanceof UsageError && error.message === `${path}: line 2 is not a probe point (step, layers)`);
    writeFileSync(path, `${JSON.stringify({ step: 0 })}\n`);
    assert.throws(() => readProbePoints(dir), (error: unknown) => error instanceof UsageError && error.message === `${path}: line 1 is not a probe point (step, layers)`);
    writeFileSync(path, 'null\n');
    assert.throws(() => readProbePoints(dir), (error: unknown) => error instanceof UsageError && error.message === `${path}: line 1 is not a probe point (step, layers)`);
    const empty = tempDir(t);
    assert.throws(() => readProbePoints(empty), (error: unknown) => error instanceof UsageError && error.message === `${join(empty, 'metrics.jsonl')}: cannot read (ENOENT)`);
  });

  test('a stored run: its record, its points (none when there is no metrics.jsonl) and its folder', (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(recordJson()));
    const bare = readStoredRun(join(dir, 'summary.json'));
    assert.equal(bare.runDir, dir);
    assert.deepEqual(bare.points, []);
    assert.equal(bare.record.runId, '20261205-000000-relu-he-d1');
    // Points carry one entry per layer of the record (2 here); a point with another count is not this run's.
    const layers = (recordJson() as { layers: unknown[] }).layers.map(() => ({}));
    writeFileSync(join(dir, 'metrics.jsonl'), `${JSON.stringify({ step: 0, layers })}\n${JSON.stringify({ step: 5, layers })}\n`);
    assert.deepEqual(readStoredRun(join(dir, 'summary.json')).points.map((p) => p.step), [0, 5]);
    writeFileSync(join(dir, 'metrics.jsonl'), `${JSON.stringify({ step: 0, layers })}\n${JSON.stringify({ step: 5, layers: [] })}\n`);
    assert.throws(() => readStoredRun(join(dir, 'summary.json')), /the point at step 5 has 0 layers but the record \(summary\.json\) has 2/);
  });
});

describe('disk errors', () => {
  const errno = (code: string) => Object.assign(new Error(`${code}: failed`), { code });

  test('environment errnos get their plain words; anything else is not an environment problem', () => {
    assert.equal(environmentProblem(errno('ENOSPC')), 'no space left on device');
    assert.equal(environmentProblem(errno('EDQUOT')), 'disk quota exceeded');
    assert.equal(environmentProblem(errno('EROFS')), 'read-only file system');
    assert.equal(environmentProblem(errno('EACCES')), 'permission denied');
    assert.equal(environmentProblem(errno('EPERM')), 'operation not permitted');
    assert.equal(environmentProblem(errno('EIO')), 'input/output error');
    for (const other of [errno('ENOENT'), errno('toString'), new Error('plain'), null, undefined, 'ENOSPC']) assert.equal(environmentProblem(other), null);
  });

  test('guardWrite: the write\'s value, a DiskError naming the folder, or the original error', () => {
    assert.equal(guardWrite('/out', () => 7), 7);
    assert.throws(
      () => guardWrite('/out', () => { throw errno('ENOSPC'); }),
      (error: unknown) => isDiskError(error) && error instanceof DiskError && error.name === 'DiskError' && error.message === 'cannot write in /out: no space left on device',
    );
    const other = errno('ENOENT');
    assert.throws(() => guardWrite('/out', () => { throw other; }), (error: unknown) => error === other && !isDiskError(error));
    assert.equal(isDiskError(new Error('cannot write in /out')), false);
  });

  test('VGRAD_TEST_FAIL_AT injects a fault at the named point only', (t) => {
    const saved = process.env.VGRAD_TEST_FAIL_AT;
    t.after(() => {
      if (saved === undefined) delete process.env.VGRAD_TEST_FAIL_AT;
      else process.env.VGRAD_TEST_FAIL_AT = saved;
    });
    delete process.env.VGRAD_TEST_FAIL_AT;
    injectedFault('metrics.jsonl');
    process.env.VGRAD_TEST_FAIL_AT = 'ENOSPC:metrics.jsonl';
    injectedFault('summary.json');
    injectedFault('metrics');
    assert.throws(() => injectedFault('metrics.jsonl'), (error: unknown) => environmentProblem(error) === 'no space left on device');
    process.env.VGRAD_TEST_FAIL_AT = 'internal:model';
    assert.throws(() => injectedFault('model'), (error: unknown) => error instanceof Error && environmentProblem(error) === null && /injected internal error at model/.test(error.message));
    injectedFault('summary.json');
  });
});
