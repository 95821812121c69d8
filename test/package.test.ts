/**
 * The npm package (issue 27): `npm pack` gives a tarball that installs into an empty folder with no
 * network and runs there, with no TypeScript and without @tensorflow/tfjs-node (an optional
 * dependency whose install script downloads libtensorflow).
 *
 * The pack here uses --ignore-scripts: its prepack (scripts/clean-build.mjs, then the build) would
 * delete dist/ while the other test files run from it, and `npm test` has just built dist/. What
 * prepack adds (a clean dist/src) is checked by the file list: every shipped module is one the
 * build writes from a source file.
 *
 * The install is `npm ci --offline` in the empty folder, from a lockfile of the tarball plus the
 * repository's own package-lock.json entries (the same versions a user gets): an offline install
 * of a bare tarball would need the registry's package documents, which `npm ci` never caches, only
 * the packages themselves. Optional dependencies are left out (--omit=optional) because tfjs-node's
 * install script would go to the network; without it is how the package must work anyway.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT, tempDir } from './helpers.js';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** A V8 stack frame: "    at fn (file:///…/x.js:12:3)" or "    at file:///…:1:2". */
const STACK_FRAME = /^\s+at .*:\d+:\d+\)?$/m;

interface PackedFile {
  path: string;
  size: number;
}

function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  return spawnSync(NPM, args, { cwd, env, encoding: 'utf8', timeout: 300_000 });
}

const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license: string;
  bin: Record<string, string>;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
  scripts: Record<string, string>;
};

describe('the npm package', () => {
  const dir = tempDir();
  const packed = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT);
  const info = packed.status === 0 ? (JSON.parse(packed.stdout) as { filename: string; size: number; files: PackedFile[] }[])[0] : undefined;
  const files = new Set(info?.files.map((file) => file.path) ?? []);

  test('npm pack gives a tarball under 5 MB with the built code and none of the development files', () => {
    assert.equal(packed.status, 0, packed.stderr);
    assert.ok(info !== undefined);
    assert.ok(info.size < 5e6, `tarball ${info.size} bytes`);
    for (const path of ['bin/vgrad.js', 'dist/src/cli/main.js', 'dist/src/sweep/worker.js', 'dist/mnist-digits.bin', 'proto/tensorboard.proto', 'bench/torch_mlp_reference.py', 'experiments/quickstart.yaml', 'deploy/slurm-array.sh', 'README.md', 'CONTRIBUTING.md', 'docs/run.md']) {
      assert.ok(files.has(path), `the tarball lacks ${path}`);
    }
    for (const path of files) {
      assert.doesNotMatch(path, /^(test|\.ci|src|scripts|tools|results)\/|^dist\/test\/|\.ts$|\.map$|\.png$|\.tsbuildinfo$/, `the tarball ships ${path}`);
      if (path.startsWith('dist/src/')) {
        const source = join(ROOT, path.slice('dist/'.length).replace(/\.js$/, '.ts'));
        assert.ok(existsSync(source), `the tarball ships ${path}, built from no source file (${source})`);
      }
    }
    // Every module the build writes is shipped.
    const built = (readdirSync(join(ROOT, 'src'), { recursive: true }) as string[]).filter((name) => name.endsWith('.ts'));
    for (const name of built) assert.ok(files.has(`dist/src/${name.replace(/\.ts$/, '.js')}`), `the tarball lacks dist/src/${name}`);
    // `npm pack` builds first (prepack), from nothing left over.
    assert.match(packageJson.scripts.prepack ?? '', /clean-build\.mjs.*build/);
  });

  test('the tarball installs offline into an empty folder, with no TypeScript and no tfjs-node, and runs there', (t) => {
    assert.ok(info !== undefined, packed.stderr);
    const project = tempDir(t);
    const tarball = join(dir, info.filename);
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const spec = `file:${tarball}`;
    const packages: Record<string, unknown> = {
      '': { name: 'vgrad-install-check', dependencies: { vgrad: spec } },
      'node_modules/vgrad': {
        version: packageJson.version,
        resolved: spec,
        license: packageJson.license,
        dependencies: packageJson.dependencies,
        optionalDependencies: packageJson.optionalDependencies,
        bin: packageJson.bin,
        engines: packageJson.engines,
      },
    };
    for (const [path, entry] of Object.entries(lock.packages)) if (path !== '' && entry.dev !== true) packages[path] = entry;
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'vgrad-install-check', private: true, dependencies: { vgrad: spec } }));
    writeFileSync(join(project, 'package-lock.json'), JSON.stringify({ name: 'vgrad-install-check', lockfileVersion: 3, requires: true, packages }));

    const install = npm(['ci', '--offline', '--omit=optional', '--no-audit', '--no-fund'], project);
    if (install.status !== 0 && /ENOTCACHED/.test(install.stderr)) {
      t.skip(`a dependency is not in the local npm cache (run npm ci in the repository first): ${install.stderr.split('\n').find((line) => /ENOTCACHED|request to/.test(line))}`);
      return;
    }
    assert.equal(install.status, 0, install.stderr);
    const installed = join(project, 'node_modules', 'vgrad');
    assert.ok(statSync(join(installed, 'dist', 'mnist-digits.bin')).size > 1e6);
    assert.ok(!existsSync(join(project, 'node_modules', 'typescript')), 'typescript was installed');
    assert.ok(!existsSync(join(project, 'node_modules', '@tensorflow', 'tfjs-node')), 'tfjs-node was installed');

    const bin = join(project, 'node_modules', '.bin', 'vgrad');
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined };
    delete env.FORCE_COLOR;
    const vgrad = (args: string[]) => {
      const result = spawnSync(bin, args, { cwd: project, env, encoding: 'utf8', timeout: 240_000 });
      const what = `vgrad ${args.join(' ')}`;
      assert.equal(result.status, 0, `${what}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, STACK_FRAME, `${what} printed a stack trace`);
      assert.doesNotMatch(result.stdout, STACK_FRAME, `${what} printed a stack trace`);
      return result;
    };
    assert.match(vgrad(['--help']).stdout, /Usage: vgrad/);
    const run = vgrad(['run', '--data', 'gaussian', '--steps', '5']);
    assert.match(run.stdout, /status ok · trained 5 steps/);
    assert.ok(readdirSync(join(project, 'results', 'runs')).length === 1);
    const sweep = vgrad(['sweep', join(installed, 'experiments', 'quickstart.yaml'), '--steps', '2', '--dry-run']);
    assert.match(sweep.stdout + sweep.stderr, /cells?/);
  });
});
