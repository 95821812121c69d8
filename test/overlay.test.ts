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
