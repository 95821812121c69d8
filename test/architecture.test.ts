/**
 * The import rules of docs/architecture.md, checked on src/: the layer table is read from that
 * file (the block after "Layers, bottom first"), so the drawing and the rule are one text.
 * - every folder of src/ is in exactly one layer;
 * - an import from one folder into another points to a lower layer (folders that share a layer do
 *   not import each other);
 * - the module graph has no cycle (type-only and lazy `import()` imports count like the others).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from './helpers.js';

const SRC = join(ROOT, 'src');

/** Module (path relative to src/, .ts) → the src modules it imports. */
type Graph = Map<string, string[]>;

/** Relative specifiers of static imports, re-exports and import() calls. */
const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(module: string, text: string): string[] {
  return [...text.matchAll(IMPORT)].map((m) => normalize(join(dirname(module), m[2])).replace(/\.js$/, '.ts'));
}

function graphOfSrc(): Graph {
  const graph: Graph = new Map();
  for (const path of sourceFiles(SRC)) {
    const module = relative(SRC, path);
    graph.set(module, importsOf(module, readFileSync(path, 'utf8')));
  }
  return graph;
}

/** The layers, bottom first, each a list of folder names: the fenced block after "Layers, bottom first". */
function layersFrom(markdown: string): string[][] {
  const block = /Layers, bottom first[^\n]*\n+```[^\n]*\n([\s\S]*?)```/.exec(markdown);
  assert.ok(block, 'docs/architecture.md has no "Layers, bottom first" block');
  return block[1]
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '')
    .map((line) => line.split(/\s+/));
}

const folderOf = (module: string) => module.split('/')[0];

/** Every import that crosses folders without going down a layer, as "from → to". */
function upwardImports(graph: Graph, layers: string[][]): string[] {
  const rank = new Map(layers.flatMap((folders, i) => folders.map((folder) => [folder, i] as const)));
  const problems: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const a = folderOf(from);
      const b = folderOf(to);
      if (a === b) continue;
      if (!((rank.get(b) ?? Infinity) < (rank.get(a) ?? -Infinity))) problems.push(`${from} → ${to}`);
    }
  }
  return problems;
}

/** One cycle of the graph as a path "a → b → … → a", or null if it has none. */
function findCycle(graph: Graph): string | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string | null => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next].join(' → ');
      if (state.get(next) === undefined) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of [...graph.keys()].sort()) {
    if (state.get(node) === undefined) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return null;
}

describe('architecture: the import rules of docs/architecture.md', () => {
  const layers = layersFrom(readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8'));
  const graph = graphOfSrc();

  test('every folder of src/ is in exactly one layer, and every layer folder exists', () => {
    const listed = layers.flat();
    const folders = readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory()).sort();
    assert.deepEqual([...listed].sort(), folders);
    assert.equal(new Set(listed).size, listed.length, `a folder is in two layers: ${listed.join(' ')}`);
  });

  test('every import resolves to a module of src/', () => {
    const missing = [...graph].flatMap(([from, targets]) => targets.filter((to) => !graph.has(to)).map((to) => `${from} → ${to}`));
    assert.deepEqual(missing, []);
    // The reader sees the imports at all: the CLI entry point imports every subcommand.
    assert.ok((graph.get('cli/main.ts') ?? []).includes('cli/run.ts'), 'cli/main.ts → cli/run.ts not found');
  });

  test('every import between folders points down the layers', () => {
    assert.deepEqual(upwardImports(graph, layers), []);
  });

  test('the module graph has no cycle', () => {
    assert.equal(findCycle(graph), null);
  });

  test('stored file names are typed only in store/layout.ts, the results root only in the option table', () => {
    const FILE_NAME = /['"`](summary\.json|metrics\.jsonl|config\.json|cell\.json|sweep\.json|summary\.csv|summary\.jsonl|\.lock|\.partial-|\.claim-|\.trash-|\.old-)['"`]/;
    const RESULTS_ROOT = /['"`]results['"`]/;
    const typed = (pattern: RegExp) => sourceFiles(SRC).filter((path) => pattern.test(readFileSync(path, 'utf8'))).map((path) => relative(SRC, path));
    assert.deepEqual(typed(FILE_NAME), ['store/layout.ts']);
    assert.deepEqual(typed(RESULTS_ROOT), ['config/options.ts']);
  });

  test('the checks catch what they are for', () => {
    // Hand-made: an upward import, a same-layer import, a cycle, and the multi-line and lazy forms.
    const text = "import {\n  a,\n} from '../store/record.js';\nconst m = await import('./b.js');\nimport type { C } from '../util/c.js';\nexport { d } from '../cli/d.js';";
    assert.deepEqual(importsOf('train/x.ts', text), ['store/record.ts', 'train/b.ts', 'util/c.ts', 'cli/d.ts']);
    const toy: Graph = new Map([
      ['train/x.ts', ['store/record.ts', 'util/c.ts']],
      ['data/d.ts', ['model/m.ts']],
      ['model/m.ts', ['model/n.ts']],
      ['model/n.ts', ['model/m.ts']],
      ['store/record.ts', []],
      ['util/c.ts', []],
    ]);
    const toyLayers = [['util'], ['data', 'model'], ['train'], ['store']];
    assert.deepEqual(upwardImports(toy, toyLayers), ['train/x.ts → store/record.ts', 'data/d.ts → model/m.ts']);
    assert.equal(findCycle(toy), 'model/m.ts → model/n.ts → model/m.ts');
    assert.equal(findCycle(new Map([['a.ts', ['b.ts']], ['b.ts', []]])), null);
  });
});
