/**
 * The pages cannot drift from the tool (issue 27): every ```sh block of README.md and docs/ runs,
 * through the real CLI, unless the line before it says why not (`<!-- doc-test: not run (REASON) -->`:
 * a block that takes over a minute, installs something, or needs a tool). The blocks of one page run
 * in order in one empty folder (with experiments/, deploy/ and bench/ linked in), so a page may use
 * what an earlier block of it stored; `npx vgrad` there is this checkout's bin/vgrad.js. A block
 * fails on a non-zero exit (bash -e -o pipefail) or a stack trace.
 *
 * Also: README.md is the user's first page (at most ~200 lines, its picture in the first 60), and
 * every relative link of README.md, CONTRIBUTING.md and docs/ names a file that exists.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { BIN, ROOT, tempDir } from './helpers.js';

interface Block {
  line: number;
  text: string;
  /** Why it is not run, or undefined when it is. */
  notRun: string | undefined;
}

const NOT_RUN = /^\s*<!-- doc-test: not run \((.+)\) -->\s*$/;
const STACK_FRAME = /^\s+at .*:\d+:\d+\)?$/m;

/** The ```sh blocks of a Markdown text, de-indented (a block may sit in a list item). */
export function shBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```sh\s*$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) body.push(lines[i].slice(Math.min(indent, lines[i].length - lines[i].trimStart().length)));
    let before = start - 1;
    while (before >= 0 && lines[before].trim() === '') before--;
    const reason = before >= 0 ? NOT_RUN.exec(lines[before])?.[1] : undefined;
    blocks.push({ line: start + 1, text: body.join('\n'), notRun: reason });
  }
  return blocks;
}

function pages(): string[] {
  const docs = (readdirSync(join(ROOT, 'docs'), { recursive: true }) as string[]).filter((name) => name.endsWith('.md')).map((name) => join('docs', name));
  return ['README.md', ...docs.sort()];
}

/** A folder on PATH whose `npx` runs this checkout's vgrad (and nothing else: a page must not fetch packages). */
function shimFolder(): string {
  const dir = tempDir();
  const npx = join(dir, 'npx');
  writeFileSync(npx, `#!/bin/sh\nif [ "$1" = vgrad ]; then shift; exec "${process.execPath}" "${BIN}" "$@"; fi\necho "doc test: npx $1 is not vgrad" >&2\nexit 127\n`);
  chmodSync(npx, 0o755);
  const vgrad = join(dir, 'vgrad');
  writeFileSync(vgrad, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(vgrad, 0o755);
  return dir;
}

/** Runs one block as the page shows it (bash -e -o pipefail); why it failed, or undefined. */
function runBlock(text: string, cwd: string, shims: string): string | undefined {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${shims}:${process.env.PATH ?? ''}`, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', text], { cwd, env, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) return `exited ${result.status ?? result.signal}: ${result.stderr}`;
  if (STACK_FRAME.test(result.stderr)) return `printed a stack trace: ${result.stderr}`;
  return undefined;
}

describe('every sh block of README.md and docs/ runs', () => {
  const shims = shimFolder();
  for (const page of pages()) {
    const blocks = shBlocks(readFileSync(join(ROOT, page), 'utf8'));
    if (blocks.length === 0) continue;
    describe(page, () => {
      const dir = tempDir();
      for (const name of ['experiments', 'deploy', 'bench']) symlinkSync(join(ROOT, name), join(dir, name));
      for (const block of blocks) {
        const first = block.text.split('\n')[0];
        test(`line ${block.line}: ${first}`, { skip: block.notRun === undefined ? false : `not run: ${block.notRun}` }, () => {
          const failure = runBlock(block.text, dir, shims);
          assert.equal(failure, undefined, `${page}:${block.line}: ${failure}\n${block.text}`);
        });
      }
    });
  }

  test('the marker is read, with its reason; a block without one runs', () => {
    const blocks = shBlocks('a\n\n<!-- doc-test: not run (slow (minutes)) -->\n```sh\nx\n```\n\n  ```sh\n  y\n  z\n  ```\n');
    assert.deepEqual(blocks, [
      { line: 4, text: 'x', notRun: 'slow (minutes)' },
      { line: 8, text: 'y\nz', notRun: undefined },
    ]);
  });

  test('the runner fails a block on a failing command, a failing pipe stage, an unknown flag and an npx that is not vgrad', (t) => {
    const dir = tempDir(t);
    assert.equal(runBlock('npx vgrad --version', dir, shims), undefined);
    for (const text of ['false\ntrue', 'false | cat', 'npx vgrad run --no-such-flag', 'npx cowsay hi']) assert.notEqual(runBlock(text, dir, shims), undefined, text);
  });

  test('README.md runs at least its verdict and quickstart blocks', () => {
    const run = shBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8')).filter((block) => block.notRun === undefined);
    assert.ok(run.some((block) => /--steps 0/.test(block.text) && /--init he/.test(block.text)), 'the 5-second verdict');
    assert.ok(run.some((block) => /vgrad compare/.test(block.text)), 'the compare view');
  });
});

describe('the pages', () => {
  test('README.md: set-up lines first, at most ~200 lines, its picture within the first 60', () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n');
    assert.ok(lines.length <= 210, `${lines.length} lines`);
    const picture = lines.findIndex((line) => /^!\[.+\]\(.+\.(png|svg)\)/.test(line));
    assert.ok(picture >= 0 && picture < 60, `picture at line ${picture + 1}`);
    const head = lines.slice(0, 12).join('\n');
    for (const line of ['npm install', 'npx vgrad run --init he --act relu', 'npm test']) assert.ok(head.includes(line), `README's first lines lack ${line}`);
  });

  test('every relative link of README.md, CONTRIBUTING.md and docs/ names a file that exists', () => {
    const files = [...pages(), 'CONTRIBUTING.md'];
    let links = 0;
    for (const page of files) {
      const text = readFileSync(join(ROOT, page), 'utf8');
      for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1].split('#')[0];
        if (target === '' || /^[a-z]+:/.test(target)) continue;
        links++;
        const path = join(ROOT, dirname(page), target);
        assert.ok(existsSync(path), `${page} links ${match[1]}, which is not there (${relative(ROOT, path)})`);
      }
    }
    assert.ok(links > 20, `${links} links`);
  });
});

