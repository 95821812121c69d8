/**
 * Every file vgrad writes for a sweep, read back in Node by readers written here (csv-parse, a
 * TFRecord reader with its own CRC-32C, protobufjs on proto/tensorboard.proto, a safetensors header
 * parser, an HTML table scraper), and every number compared with the cells' stored records. The
 * summary rows and the end-of-sweep, compare and report tables are recomputed here from the records
 * (ratios, means over hidden layers, geometric means over seeds, folding by configuration, verdict
 * severity), never re-read from the code that wrote them.
 *
 * One sweep (12 cells, about 10 s) serves every test: an experiment file whose `steps: 50` the
 * command line's `--steps 6` overrides, `--seeds 2`, and groups chosen for their verdicts: healthy
 * (relu + he), dead with an exactly zero hidden gradient at the end (relu + N(0,1), lr 0.5),
 * diverged after step 0 (linear + N(0,1), lr 1), saturated (tanh + N(0,1)), and two relu + he
 * groups that differ only in depth (2 and 3), which the table must not fold together.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import protobuf from 'protobufjs';
import { judgeRecord } from '../src/probes/verdicts.js';
import { ROOT, runCli, tempDir } from './helpers.js';

const FIXTURE = `description: read-back fixture
grid:
  - { act: relu, init: he }
  - { act: relu, init: he, depth: 3 }
  - { act: relu, init: normal1, lr: 0.5 }
  - { act: linear, init: normal1, lr: 1 }
  - { act: tanh, init: [normal1, xavier] }
fixed:
  data: gaussian
  train-size: 64
  test-size: 64
  probe-size: 32
  width: 16
  steps: 50
  log-every: 3
  save-weights: init,final
`;

/** The severity order of the verdicts, most severe first, as the README and the flag rules state it. */
const SEVERITY = ['diverged', 'not-learning', 'exploding', 'vanishing', 'dead', 'saturated', 'healthy'];
const STATS = ['weightStd', 'preactMean', 'preactVar', 'actMean', 'actVar', 'saturated', 'dead', 'gradVar', 'weightGradVar', 'weightGradNorm', 'updateRatio'];

type Json = any;
interface Cell {
  id: string;
  dir: string;
  record: Json;
  points: Json[];
  cellConfig: Json;
}

/** JSON with the store's non-finite markers read as the numbers they stand for. */
function readStored(text: string): Json {
  return JSON.parse(text, (_key, value) => (value === 'NaN' ? NaN : value === '+Inf' ? Infinity : value === '-Inf' ? -Infinity : value));
}

/** A CSV cell as a number by the documented convention: '' none, nan, inf, -inf. */
function csvNumber(text: string): number | null {
  if (text === '') return null;
  if (text === 'nan') return NaN;
  if (text === 'inf') return Infinity;
  if (text === '-inf') return -Infinity;
  assert.match(text, /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/, `a number: '${text}'`);
  return Number(text);
}

/** Equal as stored values: NaN equals NaN, null equals null. */
function sameValue(actual: unknown, expected: unknown, what: string): void {
  if (typeof expected === 'number' && Number.isNaN(expected)) assert.ok(typeof actual === 'number' && Number.isNaN(actual), `${what}: ${actual} should be NaN`);
  else assert.equal(actual, expected, what);
}

const hiddenOf = (record: Json) => record.layers.filter((layer: Json) => layer.kind === 'hidden');
const configKey = (config: Json) => JSON.stringify({ ...config, seed: undefined, out: undefined, tensorboard: undefined });

/** Independent summary fields of one record. */
function expectedRow(record: Json) {
  const hidden = hiddenOf(record);
  const first = hidden[0];
  const top = hidden[hidden.length - 1];
  const energy = (layer: Json, pick: string) => layer.fanOut * layer[pick].gradVar;
  const mean = (pick: string, stat: string) => {
    const values = hidden.map((layer: Json) => layer[pick][stat]).filter((v: unknown) => typeof v === 'number' && Number.isFinite(v));
    return values.length === 0 ? null : values.reduce((a: number, b: number) => a + b, 0) / values.length;
  };
  const verdictInit = judgeRecord(record, 'initial').verdict;
  const verdictEnd = judgeRecord(record, 'final').verdict;
  return {
    status: record.status,
    divergedAt: record.divergedAt,
    finalStep: record.final.step,
    finalLoss: record.final.loss,
    trainAcc: record.final.trainAcc,
    testAcc: record.final.testAcc,
    gradEnergyRatioInit: energy(first, 'initial') / energy(top, 'initial'),
    gradEnergyRatioEnd: energy(first, 'final') / energy(top, 'final'),
    actVarRatioInit: top.initial.actVar / first.initial.actVar,
    actVarRatioEnd: top.final.actVar / first.final.actVar,
    saturatedInit: mean('initial', 'saturated'),
    deadInit: mean('initial', 'dead'),
    saturatedEnd: mean('final', 'saturated'),
    deadEnd: mean('final', 'dead'),
    verdictInit,
    verdictEnd,
    verdict: SEVERITY.indexOf(verdictInit) <= SEVERITY.indexOf(verdictEnd) ? verdictInit : verdictEnd,
    error: null,
  };
}

/** Geometric mean over the seeds that have a ratio (NaN and missing left out); 0 and +Inf are values. */
function geometricMean(values: number[]): number | null {
  const present = values.filter((v) => v !== null && !Number.isNaN(v));
  if (present.length === 0) return null;
  const result = Math.exp(present.reduce((s, v) => s + Math.log(v), 0) / present.length);
  return Number.isNaN(result) ? null : result;
}

let out: string;
let dir: string;
let cells: Cell[];
let tableStdout: string;

before(() => {
  const root = tempDir();
  out = join(root, 'results');
  const file = join(root, 'fx.yaml');
  writeFileSync(file, FIXTURE);
  const result = runCli(['sweep', file, '--seeds', '2', '--steps', '6', '--out', out, '--jobs', '2', '--quiet']);
  assert.equal(result.status, 0, result.stderr);
  tableStdout = result.stdout;
  dir = join(out, 'sweeps', 'fx');
  cells = readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'cell.json')))
    .map((id) => ({
      id,
      dir: join(dir, id),
      record: readStored(readFileSync(join(dir, id, 'summary.json'), 'utf8')),
      points: readFileSync(join(dir, id, 'metrics.jsonl'), 'utf8').trim().split('\n').map(readStored),
      cellConfig: readStored(readFileSync(join(dir, id, 'cell.json'), 'utf8')).config,
    }));
});

const cellById = (id: string) => cells.find((c) => c.id === id)!;

describe('the fixture sweep', () => {
  test('--seeds 2 gives seeds 1 and 2 to every configuration; --steps 6 overrides the file\'s 50, the file\'s other values stay', () => {
    assert.equal(cells.length, 12);
    const groups = new Map<string, number[]>();
    for (const c of cells) groups.set(configKey(c.record.config), [...(groups.get(configKey(c.record.config)) ?? []), c.record.config.seed]);
    assert.equal(groups.size, 6);
    for (const seeds of groups.values()) assert.deepEqual(seeds.sort(), [1, 2]);
    for (const c of cells) {
      assert.equal(c.record.config.steps, 6, c.id);
      assert.equal(c.record.config.trainSize, 64);
      assert.equal(c.record.config.logEvery, 3);
      if (c.record.status === 'ok') {
        assert.equal(c.record.final.step, 6);
        assert.deepEqual(c.points.map((p) => p.step), [0, 3, 6]);
      }
    }
    // The cases the tests below need are really there.
    const statuses = cells.map((c) => c.record.status);
    assert.ok(statuses.includes('diverged'));
    assert.ok(cells.some((c) => c.record.status === 'diverged' && c.record.divergedAt > 0), 'diverged after step 0');
    assert.ok(cells.some((c) => hiddenOf(c.record).some((l: Json) => l.final.gradVar === 0)), 'an exactly zero gradient');
    assert.ok(new Set(cells.map((c) => expectedRow(c.record).verdict)).size >= 4, 'mixed verdicts');
  });
});

describe('summary.jsonl and summary.csv', () => {
  test('summary.jsonl: one row per cell, each field recomputed from the cell record (non-finite as markers)', () => {
    const lines = readFileSync(join(dir, 'summary.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.length, cells.length);
    for (const line of lines) {
      const raw = JSON.parse(line);
      const row = readStored(line);
      const c = cellById(row.cell);
      const expected = expectedRow(c.record);
      for (const [key, value] of Object.entries(expected)) {
        sameValue(row[key], value, `${c.id} ${key}`);
        if (typeof value === 'number' && Number.isNaN(value)) assert.equal(raw[key], 'NaN', `${key} marker`);
      }
      assert.deepEqual(row.config, c.cellConfig, 'the config is the cell\'s');
      assert.deepEqual(Object.keys(row).sort(), [...Object.keys(expected), 'cell', 'config'].sort(), 'no field unaccounted for');
    }
  });

  test('summary.csv: every column of every row holds what summary.jsonl holds (nan/inf, empty for null, lists by spaces)', () => {
    const rows: Record<string, string>[] = parse(readFileSync(join(dir, 'summary.csv'), 'utf8'), { columns: true });
    const jsonl = readFileSync(join(dir, 'summary.jsonl'), 'utf8').trim().split('\n').map(readStored);
    assert.equal(rows.length, jsonl.length);
    rows.forEach((row, i) => {
      const expected = jsonl[i];
      assert.equal(row.cell, expected.cell, 'same row order');
      const configKeys = Object.keys(expected.config);
      const rest = Object.keys(expected).filter((k) => k !== 'cell' && k !== 'config');
      assert.deepEqual(Object.keys(row), ['cell', ...configKeys, ...rest]);
      for (const key of configKeys) {
        const value = expected.config[key];
        assert.equal(row[key], value === null ? '' : Array.isArray(value) ? value.join(' ') : String(value), `${expected.cell} ${key}`);
      }
      for (const key of rest) {
        const value = expected[key];
        if (typeof value === 'number') sameValue(csvNumber(row[key]), value, `${expected.cell} ${key}`);
        else assert.equal(row[key], value === null ? '' : String(value), `${expected.cell} ${key}`);
      }
    });
    assert.ok(rows.some((r) => r.gradEnergyRatioEnd === 'nan'), 'the 0/0 ratio of the zero-gradient cell is nan');
  });
});

/** The body rows of a cli-table3 table (NO_COLOR), as trimmed cells; the first row is the header. */
function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('│'))
    .map((line) => line.split('│').slice(1, -1).map((cell) => cell.trim()));
}

function expFormat(value: number | null): string {
  if (value === null) return '–';
  if (value === 0) return '0';
  if (value === Infinity) return '+Inf';
  return value.toExponential(1);
}

describe('the tables', () => {
  test('the end-of-sweep table: one row per configuration (seeds folded), n, verdict counts, mean acc, geometric-mean ratios', () => {
    const [head, ...body] = tableRows(tableStdout);
    assert.deepEqual(head.slice(-5), ['n', 'verdict', 'test acc', 'grad ratio @0', '@end']);
    const axes = head.slice(0, -5);
    const groups = new Map<string, Cell[]>();
    for (const c of cells) groups.set(configKey(c.record.config), [...(groups.get(configKey(c.record.config)) ?? []), c]);
    assert.equal(body.length, groups.size, 'one row per configuration: cells that differ in more than the seed are not folded');
    for (const group of groups.values()) {
      const config = group[0].cellConfig;
      const matching = body.filter((row) => axes.every((key, k) => row[k] === (Array.isArray(config[key]) ? config[key].join(',') : String(config[key]))));
      assert.equal(matching.length, 1, `one row for ${group[0].id}: ${JSON.stringify(matching)}`);
      const row = matching[0].slice(axes.length);
      const rows = group.map((c) => expectedRow(c.record));
      assert.equal(row[0], String(group.length));
      const counts = new Map<string, number>();
      for (const r of rows) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
      assert.deepEqual(row[1].split(', ').sort(), [...counts].map(([word, n]) => `${word} ${n}`).sort(), 'verdict counts');
      const accs = rows.map((r) => r.testAcc).filter((v) => Number.isFinite(v));
      assert.equal(row[2], accs.length === 0 ? '–' : (accs.reduce((a, b) => a + b, 0) / accs.length).toFixed(3));
      assert.equal(row[3], expFormat(geometricMean(rows.map((r) => r.gradEnergyRatioInit))), 'grad ratio @0');
      assert.equal(row[4], expFormat(geometricMean(rows.map((r) => r.gradEnergyRatioEnd))), 'grad ratio @end');
    }
  });

  test('compare --at end and --at init: each column shows its own record\'s statistic at that point, per layer', () => {
    const compact = (value: number | null) => {
      if (value === null) return '–';
      if (Number.isNaN(value)) return 'NaN';
      if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
      if (value === 0) return '0';
      const [mantissa, exponent] = value.toExponential(0).split('e');
      return `${mantissa}e${Number(exponent)}`;
    };
    for (const [at, pick] of [['end', 'final'], ['init', 'initial']] as const) {
      const result = runCli(['compare', dir, '--at', at, '--stat', 'gradVar', '--width', '400']);
      assert.equal(result.status, 0, result.stderr);
      const lines = result.stdout.split('\n');
      // Legend lines: "A  fx/<id>", or "A  <full label> · fx/<id>" where the column's label was shortened.
      const legend = new Map(
        lines.flatMap((l) => {
          const m = l.match(/^([A-Z]{1,2})  (?:.* · )?fx\/([^/\s]+)/);
          return m ? [[m[1], m[2]] as const] : [];
        }),
      );
      assert.equal(legend.size, cells.length);
      const letters = [...legend.keys()];
      const maxDepth = Math.max(...cells.map((c) => c.record.config.depth));
      for (let layer = 1; layer <= maxDepth + 1; layer++) {
        const label = layer > maxDepth ? 'out' : String(layer);
        const line = lines.find((l) => l.startsWith(`${label} `.padEnd(5)))!;
        assert.ok(line, `row ${label}`);
        const values = line.slice(5).match(/.{15}/g)!.map((cell) => cell.trim().split(/\s+/).at(-1) ?? '');
        letters.forEach((letter, i) => {
          const record = cellById(legend.get(letter)!).record;
          const stored = label === 'out' ? record.layers.at(-1) : hiddenOf(record)[layer - 1];
          assert.equal(values[i], stored ? compact(stored[pick].gradVar) : '', `${at} ${letter} layer ${label}`);
        });
      }
    }
  });

  test('report --format html: the summary table holds each run\'s values', (t) => {
    const folder = tempDir(t);
    const result = runCli(['report', dir, '--out', folder, '--format', 'html']);
    assert.equal(result.status, 0, result.stderr);
    const html = readFileSync(join(folder, 'report.html'), 'utf8');
    const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    const table = html.slice(html.indexOf('<table>'), html.indexOf('</table>'));
    const heads = [...table.matchAll(/<th>(.*?)<\/th>/g)].map((m) => unescape(m[1]));
    const rows = [...table.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) => [...m[1].matchAll(/<td(?: class="num")?>(.*?)<\/td>/g)].map((c) => unescape(c[1]))).filter((r) => r.length > 0);
    assert.equal(rows.length, cells.length);
    const three = (v: number | null) => {
      if (v === null) return '–';
      if (Number.isNaN(v)) return 'NaN';
      if (v === 0) return '0';
      return Math.abs(v) >= 1e4 || Math.abs(v) < 1e-2 ? v.toExponential(2) : v.toPrecision(3);
    };
    for (const row of rows) {
      const cell = Object.fromEntries(heads.map((h, i) => [h, row[i]]));
      const c = cells.find((x) => cell.folder.endsWith(x.id))!;
      assert.ok(c, `a cell for ${cell.folder}`);
      const r = c.record;
      const expected = expectedRow(r);
      // Runs of three or more equal widths are written W×N (written out here, not with the report's helper).
      const runs: string[] = [];
      for (let i = 0; i < r.config.layers.length; ) {
        let j = i;
        while (j < r.config.layers.length && r.config.layers[j] === r.config.layers[i]) j++;
        runs.push(j - i >= 3 ? `${r.config.layers[i]}×${j - i}` : r.config.layers.slice(i, j).join(', '));
        i = j;
      }
      assert.equal(cell['hidden layers'], runs.join(', '));
      assert.equal(cell.optimizer, `sgd ${r.config.lr}`);
      assert.equal(cell.steps, String(r.final.step));
      assert.equal(cell.status, r.status);
      assert.equal(cell['verdict step 0'], expected.verdictInit);
      assert.equal(cell['verdict end'], expected.verdictEnd);
      assert.equal(cell['train loss'], three(r.final.loss));
      assert.equal(cell['test acc'], three(r.final.testAcc));
    }
  });
});

describe('per-layer CSV: show --csv and export csv', () => {
  /** Checks CSV rows (run, step, layer, kind, fanIn, fanOut, stats) against these cells' metrics.jsonl. */
  function checkStatsCsv(text: string, expectedCells: Cell[]): void {
    const rows: Record<string, string>[] = parse(text, { columns: true });
    assert.deepEqual(Object.keys(rows[0]), ['run', 'step', 'layer', 'kind', 'fanIn', 'fanOut', ...STATS]);
    let k = 0;
    for (const c of expectedCells) {
      for (const point of c.points) {
        point.layers.forEach((stats: Json, l: number) => {
          const row = rows[k++];
          const layer = c.record.layers[l];
          assert.deepEqual([row.run, row.step, row.layer, row.kind, row.fanIn, row.fanOut], [c.record.runId, String(point.step), String(layer.index), layer.kind, String(layer.fanIn), String(layer.fanOut)]);
          for (const stat of STATS) sameValue(csvNumber(row[stat]), stats[stat], `${c.id} step ${point.step} layer ${l + 1} ${stat}`);
        });
      }
    }
    assert.equal(rows.length, k, 'no extra rows');
  }

  test('show --csv of the diverged cell: every probe point, every statistic, NaN as nan, undefined as empty', () => {
    const diverged = cells.find((c) => c.record.status === 'diverged')!;
    const result = runCli(['show', diverged.dir, '--csv']);
    assert.equal(result.status, 0, result.stderr);
    checkStatsCsv(result.stdout, [diverged]);
    assert.match(result.stdout, /,nan/);
  });

  test('export csv of the sweep folder: every cell\'s rows', () => {
    const result = runCli(['export', 'csv', dir]);
    assert.equal(result.status, 0, result.stderr);
    const rows: Record<string, string>[] = parse(result.stdout, { columns: true });
    const order = [...new Set(rows.map((r) => r.run))];
    assert.deepEqual([...order].sort(), cells.map((c) => c.record.runId).sort());
    checkStatsCsv(result.stdout, order.map((runId) => cells.find((c) => c.record.runId === runId)!));
  });
});

// ---- TensorBoard event files, read with a TFRecord reader and CRC-32C written here ----

const CRC32C_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) crc = CRC32C_TABLE[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
const masked = (crc: number) => ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;

function tfRecords(buffer: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const lengthBytes = buffer.subarray(offset, offset + 8);
    const length = Number(lengthBytes.readBigUInt64LE(0));
    assert.equal(buffer.readUInt32LE(offset + 8), masked(crc32c(lengthBytes)), 'length CRC');
    const data = buffer.subarray(offset + 12, offset + 12 + length);
    assert.equal(buffer.readUInt32LE(offset + 12 + length), masked(crc32c(data)), 'data CRC');
    records.push(data);
    offset += 16 + length;
  }
  return records;
}

/** The histogram TensorBoard should show for stored bins (documented in src/probes/binSpecs.ts): edges and counts, NaN left out. */
function expectedHistogram(bins: Json, counts: number[]): { limits: number[]; counts: number[] } {
  if (bins.kind === 'linear') {
    const w = (bins.high - bins.low) / bins.bins;
    const limits = [bins.low - w];
    for (let k = 0; k <= bins.bins; k++) limits.push(bins.low + k * w);
    limits.push(bins.high + w);
    return { limits, counts: counts.slice(0, -1) };
  }
  const D = bins.maxExp - bins.minExp;
  const limits: number[] = [];
  for (let e = bins.maxExp + 1; e >= bins.minExp; e--) limits.push(-(10 ** e));
  for (let e = bins.minExp; e <= bins.maxExp + 1; e++) limits.push(10 ** e);
  // counts: −over, D negative decades, −tiny, zero, +tiny, D positive decades, +over, NaN
  const negative = counts.slice(0, D + 1);
  const middle = counts[D + 1] + counts[D + 2] + counts[D + 3];
  const positive = counts.slice(D + 4, 2 * D + 5);
  return { limits, counts: [...negative, middle, ...positive] };
}

describe('TensorBoard event files', () => {
  test('tensorboard --logdir: tags, steps, scalar values and histogram edges and counts equal the stored points', (t) => {
    const logdir = join(tempDir(t), 'tb');
    const defaultDir = join(process.cwd(), 'tensorboard');
    const hadDefault = existsSync(defaultDir);
    const result = runCli(['tensorboard', dir, '--logdir', logdir]);
    assert.equal(result.status, 0, result.stderr);
    if (!hadDefault) assert.ok(!existsSync(defaultDir), '--logdir is where the files go, not ./tensorboard');
    assert.deepEqual(readdirSync(logdir).sort(), cells.map((c) => c.record.runId).sort());
    const Event = protobuf.loadSync(join(ROOT, 'proto', 'tensorboard.proto')).lookupType('tensorboard.Event');
    const f32 = (v: number) => Math.fround(v);
    for (const c of cells) {
      const files = readdirSync(join(logdir, c.record.runId));
      assert.equal(files.length, 1);
      assert.match(files[0], /^events\.out\.tfevents\.\d+\./);
      const events = tfRecords(readFileSync(join(logdir, c.record.runId, files[0]))).map((bytes) => Event.toObject(Event.decode(bytes), { longs: Number, defaults: false }) as Json);
      assert.ok(events[0].fileVersion?.startsWith('brain.Event:'), 'the first event names the file version');
      const scalars = new Map<string, number>();
      const histograms = new Map<string, Json>();
      for (const event of events) {
        for (const value of event.summary?.value ?? []) {
          const key = `${value.tag}@${event.step ?? 0}`;
          if (value.simpleValue !== undefined) {
            assert.ok(!scalars.has(key), `one value for ${key}`);
            scalars.set(key, value.simpleValue);
          } else if (value.histo) histograms.set(key, value.histo);
        }
      }
      const expectedScalars = new Map<string, number>();
      const put = (tag: string, step: number, value: number | null) => {
        if (value !== null) expectedScalars.set(`${tag}@${step}`, f32(value));
      };
      for (const p of c.points) {
        put('loss/probe', p.step, p.probeLoss);
        put('accuracy/probe', p.step, p.probeAcc);
        put('loss/train', p.step, p.trainLoss);
        put('accuracy/train', p.step, p.trainAcc);
        p.layers.forEach((stats: Json, l: number) => {
          for (const stat of STATS) put(`layer${String(l + 1).padStart(2, '0')}/${stat.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`)}`, p.step, stats[stat]);
        });
        (p.histograms ?? []).forEach((h: Json, l: number) => {
          for (const [name, stored] of [['activations', h.act], ['gradients', h.grad]] as const) {
            const key = `layer${String(l + 1).padStart(2, '0')}/${name}@${p.step}`;
            const histo = histograms.get(key);
            assert.ok(histo, `histogram ${key}`);
            const want = expectedHistogram(stored.bins, stored.counts);
            assert.deepEqual(histo.bucketLimit, want.limits, `${key} edges`);
            assert.deepEqual(histo.bucket, [0, ...want.counts], `${key} counts`);
            assert.equal(histo.num ?? 0, stored.counts.slice(0, -1).reduce((a: number, b: number) => a + b, 0), `${key} total`);
          }
        });
      }
      put('final/train_loss', c.record.final.step, c.record.final.loss);
      put('final/train_acc', c.record.final.step, c.record.final.trainAcc);
      put('final/test_acc', c.record.final.step, c.record.final.testAcc);
      assert.deepEqual([...scalars.keys()].sort(), [...expectedScalars.keys()].sort(), `${c.id}: the scalar tags and steps`);
      for (const [key, value] of expectedScalars) sameValue(scalars.get(key), value, `${c.id} ${key}`);
      assert.equal(histograms.size, c.points.reduce((n, p) => n + 2 * (p.histograms?.length ?? 0), 0), 'no extra histograms');
    }
  });
});

describe('safetensors weights', () => {
  /** Tensors of a safetensors file, parsed here: 8-byte length, JSON header, little-endian data. */
  function readSafetensors(path: string): Map<string, { shape: number[]; data: Float32Array }> {
    const bytes = readFileSync(path);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
    const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [name, entry] of Object.entries<Json>(header)) {
      if (name === '__metadata__') continue;
      assert.equal(entry.dtype, 'F32');
      const [begin, end] = entry.data_offsets;
      const data = new Float32Array(end - begin >> 2);
      for (let i = 0; i < data.length; i++) data[i] = bytes.readFloatLE(8 + headerLength + begin + 4 * i);
      assert.equal(data.length, entry.shape.reduce((a: number, b: number) => a * b, 1));
      tensors.set(name, { shape: entry.shape, data });
    }
    return tensors;
  }

  test('weights-step0 and weights-final: out×in per layer, their std is the recorded weightStd (NaN where diverged)', () => {
    for (const c of cells) {
      for (const [file, pick] of [['weights-step0.safetensors', 'initial'], ['weights-final.safetensors', 'final']] as const) {
        const tensors = readSafetensors(join(c.dir, file));
        assert.equal(tensors.size, 2 * c.record.layers.length);
        c.record.layers.forEach((layer: Json, l: number) => {
          const weight = tensors.get(`layers.${l}.weight`)!;
          assert.deepEqual(weight.shape, [layer.fanOut, layer.fanIn], `${c.id} ${file} layer ${l}`);
          assert.deepEqual(tensors.get(`layers.${l}.bias`)!.shape, [layer.fanOut]);
          let sum = 0;
          for (const v of weight.data) sum += v;
          const mean = sum / weight.data.length;
          let sq = 0;
          for (const v of weight.data) sq += (v - mean) ** 2;
          const std = Math.sqrt(sq / weight.data.length);
          const stored = layer[pick].weightStd;
          if (Number.isNaN(stored)) assert.ok(Number.isNaN(std), `${c.id} ${file} layer ${l}: NaN weights`);
          else assert.ok(Math.abs(std / stored - 1) < 1e-4, `${c.id} ${file} layer ${l}: std ${std} vs recorded ${stored}`);
        });
      }
    }
  });
});
