/**
 * What `vgrad report`'s pictures say, read from the scene graph vega draws (chartMarks): every
 * stored value has a mark (zeros, ±Inf, NaN and values beyond the axis as edge marks, lines never
 * joined across them), one y-range per statistic row that keeps He and Xavier apart, one colour per
 * initializer in every chart, the HTML summary in reading order, one-sentence captions.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, renameSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, tempDir } from './helpers.js';
import { loadStoredRuns, type StoredRun } from '../src/report/storedRuns.js';
import { accuracyByDepthChart, depthProfileChart, reportCharts, trainingCurvesChart, type Chart } from '../src/report/chartSpecs.js';
import { chartMarks, type DrawnMark } from '../src/report/chartRender.js';
import { decadeTicks, initColour, logDomain } from '../src/report/chartScales.js';
import { summaryRows } from '../src/report/htmlReport.js';
import { decadeDigits, sparkline } from '../src/report/depthSparklines.js';
import { GRAD_VAR_SCALE } from '../src/report/logBar.js';
import { fitLabels } from '../src/report/compareTable.js';

const QUANTITIES: [string, 'preactVar' | 'actVar' | 'gradVar'][] = [
  ['z var', 'preactVar'],
  ['φ(z) var', 'actVar'],
  ['grad var', 'gradVar'],
];

/** Moves the one run folder `vgrad run --out OUT` made to `dest`. */
function keepRun(out: string, dest: string): void {
  const [runId] = readdirSync(join(out, 'runs'));
  mkdirSync(join(dest, '..'), { recursive: true });
  renameSync(join(out, 'runs', runId), dest);
}

/** The colour each initializer has in a chart's colour scale (wherever in the spec it is). */
function colours(chart: Chart): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (node: unknown) => {
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const scale = record.scale as { domain?: unknown[]; range?: unknown[] } | undefined;
    if (record.field === 'init' && record.title === 'initializer' && scale?.domain && scale.range) scale.domain.forEach((d, i) => found.set(String(d), String(scale.range![i])));
    for (const value of Object.values(record)) walk(value);
  };
  walk(chart.spec);
  return found;
}

describe('report pictures', () => {
  const root = tempDir();
  after(() => rmSync(root, { recursive: true, force: true }));
  const edgy = join(root, 'edgy');
  const quick = join(root, 'quick');
  before(() => {
    // A run that diverges (ReLU with N(0,1) at lr 1: non-finite within a few steps).
    const diverged = runCli(['run', '--quiet', '--out', join(root, 'o1'), '--train-size', '200', '--test-size', '200', '--probe-size', '200', '--act', 'relu', '--init', 'normal1', '--depth', '6', '--lr', '1', '--steps', '30', '--log-every', '5']);
    assert.equal(diverged.status, 0, diverged.stderr);
    keepRun(join(root, 'o1'), join(edgy, 'diverged'));
    // A healthy tanh run, and a copy of its record with exact zeros, a NaN and an +Inf (as a saturated,
    // broken net stores them: vgrad.run/2 markers).
    const tiny = ['--quiet', '--data', 'gaussian', '--layers', '16,16,16,16,16', '--train-size', '200', '--test-size', '60', '--probe-size', '50', '--steps', '8', '--log-every', '4'];
    const ok = runCli(['run', ...tiny, '--act', 'tanh', '--init', 'xavier', '--out', join(root, 'o2')]);
    assert.equal(ok.status, 0, ok.stderr);
    keepRun(join(root, 'o2'), join(edgy, 'healthy'));
    const again = runCli(['run', ...tiny, '--act', 'tanh', '--init', 'xavier', '--seed', '7', '--out', join(root, 'o3')]);
    assert.equal(again.status, 0, again.stderr);
    keepRun(join(root, 'o3'), join(edgy, 'zeros'));
    const summary = join(edgy, 'zeros', 'summary.json');
    const record = JSON.parse(readFileSync(summary, 'utf8'));
    record.layers[0].final.gradVar = 0;
    record.layers[1].final.gradVar = 0;
    record.layers[2].final.gradVar = 'NaN';
    record.layers[0].initial.preactVar = '+Inf';
    record.layers[1].initial.actVar = 1e-300;
    writeFileSync(summary, JSON.stringify(record, null, 2));
    // The quickstart's step 0: ReLU at depth 20 with Xavier and He, tanh with N(0,1) and Xavier.
    const sweep = runCli(['sweep', 'experiments/quickstart.yaml', '--out', quick, '--steps', '0', '--jobs', '1', '--quiet']);
    assert.equal(sweep.status, 0, sweep.stderr);
  });

  test('depth profile: one mark per stored value, zeros/NaN/Inf at the edges, no line across them', async () => {
    const runs = loadStoredRuns(edgy);
    assert.equal(runs.find((run) => run.path === 'diverged')!.record.status, 'diverged', 'the fixture diverges');
    const marks = await chartMarks(depthProfileChart(runs));
    const points = marks.filter((m) => m.type === 'symbol' && m.datum.source === 'measured');
    let expected = 0;
    let edges = 0;
    for (const run of runs) {
      const phases: ['initial' | 'final', string][] = [['initial', 'step 0']];
      if (run.record.final.step > 0) phases.push(['final', 'end']);
      for (const [pick, phase] of phases) {
        for (const layer of run.record.layers) {
          for (const [name, key] of QUANTITIES) {
            const value = layer[pick][key];
            const layerName = layer.kind === 'output' ? 'out' : String(layer.index);
            const mine = points.filter((m) => m.datum.config === run.label && m.datum.quantity === name && m.datum.layerName === layerName && String(m.datum.panel).endsWith(phase));
            assert.equal(mine.length, 1, `${run.label} ${phase} ${name} layer ${layerName} = ${value}: ${mine.length} marks`);
            expected++;
            const text = mine[0].datum.text as string;
            if (value === 0) assert.equal(text, '0');
            if (Number.isNaN(value)) assert.equal(text, 'NaN');
            if (value === Infinity) assert.equal(text, '+Inf');
            if (value === 0 || !Number.isFinite(value as number)) {
              assert.equal(mine[0].datum.kind, 'edge', `${text} is an edge mark`);
              const atBottom = Math.abs(mine[0].y - mine[0].panelHeight) < 0.5;
              const atTop = Math.abs(mine[0].y) < 0.5;
              assert.ok(value === 0 ? atBottom : atTop, `${text} at ${value === 0 ? 'the bottom' : 'the top'} edge: y ${mine[0].y} of ${mine[0].panelHeight}`);
              edges++;
            }
          }
        }
      }
    }
    assert.equal(points.length, expected, 'no mark without a stored value');
    assert.ok(edges >= 5, `the zeros, the NaN and the +Inf are drawn (${edges} edge marks)`);
    assert.ok(points.some((m) => m.datum.edge === 'below the axis' && m.datum.text === '1.000e-300'), '1e-300 below the axis, its value in the tooltip');
    // Lines: each drawn path joins consecutive hidden layers only.
    const paths = new Map<string, number[]>();
    for (const m of marks.filter((m): m is DrawnMark => m.type === 'line')) paths.set(`${m.datum.panel}|${m.datum.quantity}|${m.datum.series}`, [...(paths.get(`${m.datum.panel}|${m.datum.quantity}|${m.datum.series}`) ?? []), m.datum.layer as number]);
    assert.ok(paths.size > 0);
    for (const [key, layers] of paths) {
      const sorted = [...layers].sort((a, b) => a - b);
      sorted.forEach((layer, i) => i > 0 && assert.equal(layer, sorted[i - 1] + 1, `${key}: a line joins layers ${sorted[i - 1]} and ${layer} across a value off the axis`));
      assert.ok(sorted.every((layer) => !Number.isNaN(layer)));
    }
    // The zeros-run's grad var at the end: layers 1–3 off the axis, so its line starts at layer 4 (of 5).
    const zeros = runs.find((run) => run.path === 'zeros')!;
    const endGrad = [...paths].filter(([key]) => key.includes(' · end|grad var|') && key.includes(`${zeros.label}|measured`));
    assert.equal(endGrad.length, 1);
    assert.equal(Math.min(...endGrad[0][1]), 4);
  });

  test('training curves and accuracy: every probe value and final test accuracy has a mark', async () => {
    const runs = loadStoredRuns(edgy);
    const curves = await chartMarks(trainingCurvesChart(runs)!);
    for (const run of runs) {
      for (const point of run.points) {
        for (const [series, value] of [['probe loss', point.probeLoss], ['probe acc', point.probeAcc]] as const) {
          const mine = curves.filter((m) => m.datum.config === run.label && m.datum.series === series && m.datum.step === point.step && (m.type === 'symbol' || m.type === 'line'));
          assert.equal(mine.length, 1, `${run.label} ${series} at step ${point.step} = ${value}`);
          if (!Number.isFinite(value)) assert.equal(mine[0].datum.kind, 'edge');
        }
      }
    }
    const acc = await chartMarks(accuracyByDepthChart(runs)!);
    for (const run of runs) assert.equal(acc.filter((m) => m.datum.config === run.label).length, 1, `${run.label}: one accuracy mark`);
  });

  test('shared y-range per statistic: He and Xavier grad var at layer 1 at least ¼ panel apart; --scale independent fits each panel', async () => {
    const runs = loadStoredRuns(quick);
    const layerOne = (marks: DrawnMark[], init: string) => {
      const found = marks.filter((m) => m.type === 'symbol' && m.datum.quantity === 'grad var' && m.datum.layer === 1 && m.datum.source === 'measured' && m.datum.init === init && String(m.datum.panel).startsWith('relu'));
      assert.equal(found.length, 1, init);
      return found[0];
    };
    const marks = await chartMarks(depthProfileChart(runs));
    const [he, xavier] = [layerOne(marks, 'he'), layerOne(marks, 'xavier')];
    assert.equal(he.panelHeight, xavier.panelHeight);
    const apart = Math.abs(he.y - xavier.y) / he.panelHeight;
    assert.ok(apart >= 0.25, `He vs Xavier at layer 1: ${(apart * 100).toFixed(1)}% of the panel height`);
    // Without the shared range (one domain over every value, as one outlier can force), they fall below ¼.
    const all = runs.flatMap((run) => run.record.layers.flatMap((layer) => [layer.initial.gradVar]));
    const domain = logDomain([...all, 1e-40, 1e60])!;
    assert.ok(Math.log10(he.datum.y as number) - Math.log10(xavier.datum.y as number) < 0.25 * Math.log10(domain[1] / domain[0]));
    // Every statistic row: one domain across the row's panels (shared), several (independent).
    const domains = (chart: Chart, quantity: string) => {
      const spec = chart.spec as unknown as { vconcat: { hconcat: { data: { values: { quantity: string }[] }; layer: { encoding: { y: { scale: { domain: number[] } } } }[] }[] }[] };
      return spec.vconcat.flatMap((row) => row.hconcat).filter((panel) => panel.data.values[0]?.quantity === quantity).map((panel) => JSON.stringify(panel.layer[0].encoding.y.scale.domain));
    };
    assert.equal(new Set(domains(depthProfileChart(runs), 'grad var')).size, 1);
    assert.equal(new Set(domains(depthProfileChart(runs, { scale: 'independent' }), 'grad var')).size, 2, 'relu and tanh each their own');
    // The CLI flag.
    const out = join(root, 'independent');
    assert.equal(runCli(['report', quick, '--out', out, '--format', 'svg', '--scale', 'independent']).status, 0);
    const bad = runCli(['report', quick, '--out', out, '--scale', 'loose']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^vgrad: --scale loose: allowed: shared, independent\n$/);
  });

  test('log axes have gridlines at decades only', () => {
    for (const domain of [[1e-9, 1e11], [1e-2, 1e1], [1e-33, 1e13]] as [number, number][]) {
      const ticks = decadeTicks(domain, 6);
      assert.ok(ticks.length >= 2 && ticks.length <= 6, `${domain}: ${ticks}`);
      for (const tick of ticks) assert.equal(Math.log10(tick), Math.round(Math.log10(tick)), `${tick} is a power of ten`);
    }
    const runs = loadStoredRuns(quick);
    const spec = JSON.stringify(depthProfileChart(runs).spec);
    for (const [, values] of spec.matchAll(/"axis":\{"values":\[([^\]]*)\],"format":"\.0e"/g)) {
      for (const v of values.split(',').map(Number)) assert.equal(Math.log10(v), Math.round(Math.log10(v)));
    }
  });

  test('one colour per initializer in every chart and every report', () => {
    const quickRuns = loadStoredRuns(quick);
    const edgyRuns = loadStoredRuns(edgy);
    const seen = new Map<string, string>();
    for (const chart of [...reportCharts(quickRuns), ...reportCharts(edgyRuns)]) {
      const map = colours(chart);
      if (chart.name === 'depth-profile' || chart.name === 'training-curves' || chart.name === 'accuracy-by-depth' || chart.name === 'histogram-gradients') assert.ok(map.size > 0, `${chart.name} colours by initializer`);
      for (const [init, colour] of map) {
        assert.equal(colour, seen.get(init) ?? colour, `${init} in ${chart.name}`);
        seen.set(init, colour);
      }
    }
    assert.equal(new Set(['normal1', 'xavier', 'he'].map(initColour)).size, 3);
    assert.equal(initColour('he'), initColour('HE'));
    assert.notEqual(initColour('normal:0.01'), undefined);
  });

  test('summary table: reading order with numbers as numbers, "300, 100×19"; captions are one sentence', () => {
    const [base] = loadStoredRuns(quick);
    const withDepth = (depth: number): StoredRun => {
      const copy = structuredClone(base);
      copy.record.config.depth = depth;
      copy.record.config.layers = [300, ...Array(depth - 1).fill(100)];
      copy.label = `d${depth}`;
      return copy;
    };
    const rows = summaryRows([withDepth(10), withDepth(2), withDepth(5), withDepth(20)]);
    assert.deepEqual(rows.map((row) => row[0]), ['d2', 'd5', 'd10', 'd20']);
    assert.deepEqual(rows.map((row) => row[1]), ['300, 100', '300, 100×4', '300, 100×9', '300, 100×19']);
    for (const chart of [...reportCharts(loadStoredRuns(quick)), ...reportCharts(loadStoredRuns(edgy))]) {
      assert.match(chart.caption, /^[A-Z][^]*\.$/, chart.name);
      assert.doesNotMatch(chart.caption.slice(0, -1), /[.!?]\s+[A-Z]/, `${chart.name}: one sentence`);
    }
  });

  test('terminal: a 10× step is visible in the depth sparklines; compare labels never clip two cells to one text', () => {
    // 8 heights over 30 decades: 1e-5 and 1e-4 can share a height, never a decade digit.
    for (let e = -19; e < 9; e += 0.37) {
      const pair = [10 ** e, 10 ** (e + 1)];
      assert.notEqual(decadeDigits(pair)[0], decadeDigits(pair)[1], `${pair}: ${sparkline(pair, GRAD_VAR_SCALE)} ${decadeDigits(pair)}`);
    }
    assert.equal(decadeDigits([3e-8, 4e-3, 6e12, 0, NaN, Infinity, null]), '832····');
    const out = runCli(['report', quick]);
    assert.equal(out.status, 0, out.stderr);
    const lines = out.stdout.split('\n');
    const xavier = lines.findIndex((line) => line.startsWith('relu · xavier · depth 20'));
    // ReLU + Xavier halves the gradient variance per layer: its digits step down 8 → 2 from layer 1 to the top.
    assert.match(lines[xavier + 1], /^\s+\d{21}\s+8{2,}7+6+5+4+3+2+\s*$/, lines[xavier + 1]);
    for (const labels of [
      ['relu xavier d2', 'relu xavier d5', 'tanh normal1', 'tanh xavier'],
      ['xavier-uniform s1', 'xavier-uniform s2', 'xavier s1', 'xavier s2'],
      ['relu normal:0.01 d10', 'relu normal:0.1 d10', 'relu normal:1 d10'],
    ]) {
      const shown = fitLabels(labels, 11);
      shown.forEach((label, i) => assert.ok(label.length <= 11, label));
      for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) if (shown[i] !== '') assert.notEqual(shown[i], shown[j], `${labels[i]} / ${labels[j]}`);
      assert.ok(!shown.some((label) => /normal(?!1)/.test(label)), `normal1 never shown as "normal": ${shown}`);
    }
    const compare = runCli(['compare', join(quick, 'sweeps', 'quickstart'), '--width', '80']);
    assert.equal(compare.status, 0, compare.stderr);
    assert.match(compare.stdout, /C tanh norm1 /);
    assert.match(compare.stdout, /^C {2}tanh normal1 · quickstart\//m);
  });

  test('--charts writes only the charts named; an unknown name is refused in one line', () => {
    const out = join(root, 'only');
    const result = runCli(['report', quick, '--charts', 'gradient-profile,depth-profile', '--format', 'svg', '--out', out]);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(readdirSync(out).sort(), ['depth-profile.svg', 'gradient-profile.svg']);
    const svg = readFileSync(join(out, 'gradient-profile.svg'), 'utf8');
    for (const text of ['relu · depth 20', 'tanh · depth 20', '>xavier<', '>he<', '>normal1<', '>out<']) assert.ok(svg.includes(text), text);
    const bad = runCli(['report', quick, '--charts', 'depth', '--out', join(root, 'nope')]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^vgrad: --charts depth: unknown chart "depth"; allowed: /);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
  });

  test('a 1,000-run folder (4 configurations × 250 seeds): each configuration folded into one line whose marks account for every run', async () => {
    const big = join(root, 'big');
    const cells = readdirSync(join(quick, 'sweeps', 'quickstart')).filter((name) => name.includes('-d20-'));
    assert.equal(cells.length, 4);
    for (let i = 0; i < 1000; i++) {
      const from = join(quick, 'sweeps', 'quickstart', cells[i % 4]);
      const to = join(big, `${cells[i % 4]}-${i}`);
      mkdirSync(to, { recursive: true });
      const record = JSON.parse(readFileSync(join(from, 'summary.json'), 'utf8'));
      record.runId = `${record.runId}-${i}`;
      record.config.seed = 1 + Math.floor(i / 4);
      // Five seeds of 250 of ReLU + Xavier lost its layer-1 gradient: folded, it must still be drawn.
      if (cells[i % 4].startsWith('relu-xavier') && Math.floor(i / 4) % 50 === 0) record.layers[0].initial.gradVar = 0;
      writeFileSync(join(to, 'summary.json'), JSON.stringify(record));
      writeFileSync(join(to, 'metrics.jsonl'), readFileSync(join(from, 'metrics.jsonl')));
    }
    const runs = loadStoredRuns(big);
    assert.equal(runs.length, 1000);
    const marks = (await chartMarks(depthProfileChart(runs))).filter((m) => m.type === 'symbol' && m.datum.source === 'measured');
    const counts = new Map<string, number>();
    for (const m of marks) {
      const key = `${m.datum.config}|${m.datum.quantity}|${m.datum.layerName}`;
      const [, n, of] = String(m.datum.text).match(/(\d+) of (\d+) runs/) ?? assert.fail(`${key}: ${m.datum.text}`);
      assert.equal(Number(of), 250);
      counts.set(key, (counts.get(key) ?? 0) + Number(n));
    }
    // 4 configurations × 3 statistics × 21 layers (20 hidden + out), each accounting for its 250 runs.
    assert.equal(counts.size, 4 * 3 * 21);
    for (const [key, n] of counts) assert.equal(n, 250, key);
    const zero = marks.filter((m) => m.datum.edge === 'exactly 0');
    assert.equal(zero.length, 1);
    assert.match(String(zero[0].datum.text), /^0 in 5 of 250 runs$/);
    // Per-run charts draw one run per configuration, and say so.
    const charts = reportCharts(runs);
    const map = charts.find((chart) => chart.name === 'saturation-map');
    if (map) assert.match(map.caption, /\(4 of 1000 runs shown, the first run of each configuration\)\.$/);
  });

  test('training curves fold a configuration with more than 3 runs; every value is in one mark', async () => {
    const five = join(root, 'five');
    for (let i = 0; i < 5; i++) {
      const to = join(five, `copy-${i}`);
      mkdirSync(to, { recursive: true });
      const record = JSON.parse(readFileSync(join(edgy, 'healthy', 'summary.json'), 'utf8'));
      record.runId = `${record.runId}-${i}`;
      record.config.seed = 100 + i;
      writeFileSync(join(to, 'summary.json'), JSON.stringify(record));
      const lines = readFileSync(join(edgy, 'healthy', 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
      // Run 0's probe loss is NaN at step 4: drawn as one NaN mark "in 1 of 5 runs".
      if (i === 0) lines[1].probeLoss = 'NaN';
      if (i === 1) lines[1].probeLoss = lines[1].probeLoss * 4;
      writeFileSync(join(to, 'metrics.jsonl'), lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
    }
    const runs = loadStoredRuns(five);
    const marks = await chartMarks(trainingCurvesChart(runs)!);
    const perKey = new Map<string, number>();
    for (const m of marks.filter((m) => m.type === 'symbol' || m.type === 'line')) {
      const [, n] = String(m.datum.text).match(/(\d+) of 5 runs/) ?? assert.fail(`${m.datum.series} ${m.datum.step}: ${m.datum.text}`);
      assert.equal(m.datum.config, 'tanh · xavier · depth 5 · 5 runs');
      const key = `${m.datum.series}|${m.datum.step}`;
      perKey.set(key, (perKey.get(key) ?? 0) + Number(n));
    }
    const points = runs[0].points.length;
    assert.equal(perKey.size, 3 * points - 1 + 1, 'probe loss, probe acc at every point, train loss after step 0, final test acc');
    for (const [key, n] of perKey) assert.equal(n, 5, key);
    const nan = marks.filter((m) => m.datum.edge === 'NaN');
    assert.equal(nan.length, 1);
    assert.equal(nan[0].datum.text, 'NaN in 1 of 5 runs');
    const step4 = marks.find((m) => m.type === 'line' && m.datum.series === 'probe loss' && m.datum.step === 4)!;
    assert.match(String(step4.datum.text), /geometric mean of 4 of 5 runs/);
  });
});
