/** The suite's own hygiene: temp folders go away, and no test file imports another. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { ROOT, tempDir } from './helpers.js';

describe('suite hygiene', () => {
  test('a folder from tempDir() is gone when the process that made it ends, even after a failure', () => {
    const helpers = pathToFileURL(join(ROOT, 'dist', 'test', 'helpers.js')).href;
    for (const ending of ['', 'process.exitCode = 1;', 'throw new Error("a failing test file");']) {
      const script = `import { tempDir } from ${JSON.stringify(helpers)}; import { writeFileSync } from 'node:fs';
        const dir = tempDir(); writeFileSync(dir + '/f', 'x'); console.log(dir); ${ending}`;
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
      const dir = child.stdout.trim();
      assert.match(dir, /vgrad-test-/, child.stderr);
      assert.equal(existsSync(dir), false, `${dir} left behind (ending: ${ending || 'normal'})`);
    }
  });

  test('a folder made with a test context is gone when that test ends', async (t) => {
    let dir = '';
    await t.test('inner', (inner) => {
      dir = tempDir(inner);
      assert.ok(existsSync(dir));
    });
    assert.equal(existsSync(dir), false);
  });

  test('no test file imports another test file (each file runs once)', () => {
    const testDir = join(ROOT, 'test');
    for (const name of readdirSync(testDir).filter((n) => n.endsWith('.ts'))) {
      const source = readFileSync(join(testDir, name), 'utf8');
      assert.doesNotMatch(source, /from\s+['"][^'"]*\.test\.js['"]/, `${name} imports a test file`);
    }
  });
});
