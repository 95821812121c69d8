/**
 * The theory overlay in `vgrad run` and `vgrad show`: the mean-field prediction beside the
 * measured step-0 z var and grad var, their ratio, and a ≠ where they differ beyond sampling noise.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, tempDir } from './helpers.js';

const WIDE = ['--layers', '500,500,500', '--data', 'gaussian', '--train-size', '200', '--test-size', '512', '--steps', '0'];

/** The cells of every body row of the first table in `text`, keyed by head. */
function firstTable(text: string): Record<string, string>[] {
  const lines = text.split('\n').filter((line) => line.startsWith('│'));
  const cells = (line: string) => line.split('│').slice(1, -1).map((cell) => cell.trim());
  const head = cells(lines[0]);
  const rows: Record<string, string>[] = [];
  for (const line of lines.slice(1)) {
    const row = cells(line);
    if (row[0] === 'layer') break; // the next table
    rows.push(Object.fromEntries(head.map((name, i) => [name, row[i]])));
  }
  return rows;
}

describe('theory overlay', () => {
  const out = tempDir();
  after(() => rmSync(out, { recursive: true, force: true }));
  let runDir = '';
  let live = '';
  before(() => {
    const result = runCli(['run', ...WIDE, '--act', 'tanh', '--init', 'xavier', '--out', out, '--quiet']);
    assert.equal(result.status, 0, result.stderr);
    live = result.stdout;
    runDir = join(out, 'runs', readdirSync(join(out, 'runs'))[0]);
  });

  test('the record stores E[x²] of the training split (≈ 1 for N(0,1) inputs)', () => {
    const record = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
    // 200 × 784 draws of x²: mean 1, sd sqrt(2 / 156800) ≈ 0.0036; 5 sd ≈ 0.018.
    assert.ok(Math.abs(record.data.inputSecondMoment - 1) < 0.018, String(record.data.inputSecondMoment));
  });

  test('a healthy gaussian run: the columns are there, every ratio ≈ 1, nothing flagged; show prints the same', () => {
    const rows = firstTable(live);
    assert.equal(rows.length, 4);
    for (const row of rows) {
      for (const head of ['z theory', 'z ÷ theory', 'grad theory', 'grad ÷ theory']) assert.ok(head in row, `${head} in ${Object.keys(row)}`);
      // Noise bound of src/theory/overlay.ts restated: sd of ln(ratio) ≤ sqrt(Σ 2/n over ≤ 4 layers of 500
      // + 2/(512·500)) ≈ 0.13, so 3 sd is a factor e^0.38 ≈ 1.47.
      const z = Number(row['z ÷ theory']);
      assert.ok(z > 1 / 1.47 && z < 1.47, `z ratio ${z} at layer ${row.layer}`);
      if (!row.layer.endsWith('out')) {
        const g = Number(row['grad ÷ theory']);
        assert.ok(g > 1 / 1.47 && g < 1.47, `grad ratio ${g} at layer ${row.layer}`);
      }
      assert.doesNotMatch(row['z ÷ theory'] + row['grad ÷ theory'], /≠/);
    }
    assert.match(live, /theory: the mean-field prediction at step 0/);
    const shown = runCli(['show', runDir]);
    assert.equal(shown.status, 0, shown.stderr);
    assert.equal(shown.stdout, live);
  });

  test('a mismatched record (E[x²] said to be 4 where it is 1) is flagged ≠ at the first layer', () => {
    const copy = tempDir();
    try {
      const record = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
      record.data.inputSecondMoment = 4;
      writeFileSync(join(copy, 'summary.json'), JSON.stringify(record));
      const shown = runCli(['show', copy]);
      assert.equal(shown.status, 0, shown.stderr);
      const rows = firstTable(shown.stdout);
      // Layer 1's predicted q is 4× too big: ratio ≈ 0.25, far beyond 3 sd (factor 1.47).
      assert.match(rows[0]['z ÷ theory'], /^0\.2\d+ ≠$/);
      // Deeper, tanh squashes the error (q ↦ E[φ²] is concave), so only the first layers need flag.
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  test('an older record without E[x²] shows no theory columns', () => {
    const copy = tempDir();
    try {
      const record = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
      delete record.data.inputSecondMoment;
      writeFileSync(join(copy, 'summary.json'), JSON.stringify(record));
      const shown = runCli(['show', copy]);
      assert.equal(shown.status, 0, shown.stderr);
      assert.doesNotMatch(shown.stdout, /theory/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

/**
 * Finite width (issue 34): mean field is exact only as width → ∞. At width 100 and depth 30 a ReLU
 * net's z var strays from the prediction by a factor that grows with Σ 1/width (measured over seeds
 * 1–5: ln(z ÷ theory) at layer 30 spreads with sd 1.45, the model in src/theory/finiteWidth.ts says
 * 1.20); ≠ must not mark that drift, while still matching the exact relu + xavier prediction.
 */
describe('theory overlay at width 100, depth 30, mnist: finite-width drift is not ≠', () => {
  const out = tempDir();
  after(() => rmSync(out, { recursive: true, force: true }));
  const marked = (init: string, seed: number) => {
    const result = runCli(['run', '--act', 'relu', '--init', init, '--depth', '30', '--steps', '0', '--seed', String(seed), '--out', out, '--quiet']);
    assert.equal(result.status, 0, result.stderr);
    const rows = firstTable(result.stdout);
    assert.equal(rows.length, 31);
    return { rows, text: result.stdout, flagged: rows.filter((row) => /≠/.test(row['z ÷ theory'] + row['grad ÷ theory'])).map((row) => row.layer) };
  };
  test('relu + he, seeds 1–5: no layer marked ≠; the legend says what ≠ means and gives the tolerated range', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { flagged, text } = marked('he', seed);
      assert.deepEqual(flagged, [], `seed ${seed}`);
      if (seed === 1) {
        assert.match(text, /exact only for infinitely wide layers/);
        assert.match(text, /≠: outside what one net of these finite widths shows around the prediction, 3 sd of the spread between seeds, which grows with Σ 1\/width/);
        assert.match(text, /here z ÷ theory 0\.7\d+–1\.2\d at layer 1 to 0\.0134–17\.\d at layer 30/);
      }
    }
  });
  test('relu + xavier, seeds 1–2: the prediction (z var halves every layer) still matches, unmarked', () => {
    for (const seed of [1, 2]) assert.deepEqual(marked('xavier', seed).flagged, [], `seed ${seed}`);
  });
});
