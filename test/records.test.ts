/**
 * The self-describing records (issue 26): every fact about an activation, an initializer, a data
 * source and an optimizer lives in its entry, the compiler refuses an entry with a fact missing, the
 * lists derived from them cover every name, and no module outside the records branches on a name.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { before, describe, test } from 'node:test';
import * as tf from '../src/backend/tf.js';
import { selectBackend } from '../src/backend/select.js';
import { RUN_OPTIONS } from '../src/config/options.js';
import { OPTIMIZER, type OptimizerFacts, type OptimizerName, OPTIMIZERS } from '../src/config/optimizers.js';
import { DATA_SOURCE_SYNTAX, DATA_SOURCES, parseDataSource } from '../src/data/sources.js';
import { loadDataset } from '../src/data/load.js';
import { ACTIVATION_OPS } from '../src/model/activationOps.js';
import { ACTIVATION, type ActivationFacts, type ActivationName, ACTIVATIONS, SATURATION_THRESHOLD } from '../src/model/activations.js';
import { BOOK_TABLE, distributionStd, INIT_CATALOGUE, INIT_NAMES, type InitEntry, INITIALIZERS, type InitParser, parseInit } from '../src/model/initializers.js';
import { FLAG_RULES } from '../src/probes/verdicts.js';
import { OPTIMIZER_MAKERS } from '../src/train/optimizers.js';
import { ROOT } from './helpers.js';

// ---------------------------------------------------------------------------------------------
// Compile time: tsc (part of `npm test`) refuses each line under a @ts-expect-error; if one ever
// compiled, the directive itself would be the error and the build would fail.

/** A new activation name, as if added to ACTIVATIONS without its entries. */
type WithGelu = ActivationName | 'gelu';
// @ts-expect-error: the facts record must have an entry for every activation name
const factsWithoutGelu: Record<WithGelu, ActivationFacts> = ACTIVATION;
// @ts-expect-error: so must the tensor record beside it
const opsWithoutGelu: Record<WithGelu, unknown> = ACTIVATION_OPS;
const { maxSlope: _maxSlope, ...reluWithoutMaxSlope } = ACTIVATION.relu;
// @ts-expect-error: an entry without one of its facts (here its max slope) is not an activation's facts
const entryWithoutMaxSlope: ActivationFacts = reluWithoutMaxSlope;
const { saturationBaseline: _baseline, ...reluWithoutBaseline } = ACTIVATION.relu;
// @ts-expect-error: … nor without its saturation baseline
const entryWithoutBaseline: ActivationFacts = reluWithoutBaseline;
// @ts-expect-error: an optimizer name needs its facts
const optimizersWithoutRmsprop: Record<OptimizerName | 'rmsprop', OptimizerFacts> = OPTIMIZER;
// @ts-expect-error: … and its tfjs maker
const makersWithoutRmsprop: Record<OptimizerName | 'rmsprop', unknown> = OPTIMIZER_MAKERS;
const he = INITIALIZERS.find((entry): entry is InitEntry => entry.form === 'fixed' && entry.name === 'he')!;
const { citation: _citation, ...heWithoutCitation } = he;
// @ts-expect-error: an initializer entry without its citation does not compile
const initWithoutCitation: InitEntry = heWithoutCitation;
const { formula: _formula, ...heWithoutFormula } = he;
// @ts-expect-error: … nor without its formula
const initWithoutFormula: InitEntry = heWithoutFormula;
void [factsWithoutGelu, opsWithoutGelu, entryWithoutMaxSlope, entryWithoutBaseline, optimizersWithoutRmsprop, makersWithoutRmsprop, initWithoutCitation, initWithoutFormula];

// ---------------------------------------------------------------------------------------------

const ALPHAS = [0, 0.01, 0.3, 2];
/** u from −30 to 30 in steps of 1/16 (every kink here is at 0, on the grid). */
const GRID = Array.from({ length: 961 }, (_, i) => -30 + i / 16);
const helpOf = (flag: string) => RUN_OPTIONS.find((entry) => entry.flag === flag)!.help;
const docs = () => {
  const files = [join(ROOT, 'README.md'), join(ROOT, 'CONTRIBUTING.md')];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.md')) files.push(path);
    }
  };
  try {
    walk(join(ROOT, 'docs'));
  } catch {
    // no docs/ folder
  }
  return files.map((file) => readFileSync(file, 'utf8')).join('\n');
};

describe('activation records: every fact of every activation, consistent with itself', () => {
  for (const name of ACTIVATIONS) {
    const facts = ACTIVATION[name];
    test(`${name}: φ' is the derivative of φ, smooth away from its kinks and not smooth at each`, () => {
      for (const alpha of ALPHAS) {
        const h = 1e-6;
        for (const u of GRID) {
          if (facts.kinks.some((k) => Math.abs(u - k) < 1e-3)) continue;
          const numeric = (facts.phi(u + h, alpha) - facts.phi(u - h, alpha)) / (2 * h);
          const slope = facts.slope(u, alpha);
          assert.ok(Math.abs(numeric - slope) <= 1e-6 * Math.max(1, Math.abs(slope)), `${name} α ${alpha} u ${u}: φ' ${slope}, (φ(u+h) − φ(u−h))/2h ${numeric}`);
        }
        // At a kink φ' jumps, or its own slope does (softsign, elu).
        for (const k of facts.kinks) {
          const e = 1e-4;
          const jump = Math.abs(facts.slope(k + e, alpha) - facts.slope(k - e, alpha));
          const bend = Math.abs((facts.slope(k + 2 * e, alpha) - facts.slope(k + e, alpha)) / e - (facts.slope(k - e, alpha) - facts.slope(k - 2 * e, alpha)) / e);
          if (name === 'leaky-relu' && alpha === 1) continue; // α = 1 is the identity: no kink left
          assert.ok(jump > 1e-3 || bend > 1e-2, `${name} α ${alpha}: nothing bends at the kink ${k} (jump ${jump}, bend ${bend})`);
        }
        // At a kink φ' is the left slope, as tfjs's autodiff takes it.
        for (const k of facts.kinks) assert.ok(Math.abs(facts.slope(k, alpha) - facts.slope(k - 1e-9, alpha)) < 1e-6, `${name} α ${alpha}: φ'(${k}) is not the left slope`);
      }
    });

    test(`${name}: maxSlope is φ''s supremum`, () => {
      for (const alpha of ALPHAS) {
        const top = facts.maxSlope(alpha);
        let sup = 0;
        for (const u of [...GRID, -1e-12, 1e-12]) sup = Math.max(sup, facts.slope(u, alpha));
        assert.ok(sup <= top * (1 + 1e-12), `${name} α ${alpha}: φ' reaches ${sup} above maxSlope ${top}`);
        assert.ok(sup >= top * (1 - 1e-6), `${name} α ${alpha}: φ' never comes near maxSlope ${top} (max ${sup})`);
      }
    });

    test(`${name}: its family says which of its tails saturate, and its baseline follows`, () => {
      const alpha = 0.01;
      const below = SATURATION_THRESHOLD * facts.maxSlope(alpha);
      const left = facts.slope(-1e3, alpha) < below;
      const right = facts.slope(1e3, alpha) < below;
      if (facts.family === 'one-sided') {
        assert.ok(left && !right, `${name}: one-sided must be flat on the left only`);
        assert.ok(facts.saturationBaseline > 0, `${name}: one-sided is off on about half a zero-mean z`);
      } else {
        assert.equal(left, right, `${name}: two-sided saturates in both tails or neither`);
        assert.equal(facts.saturationBaseline, 0);
      }
    });

    test(`${name}: φ stays in its range, which its histogram bins cover`, () => {
      const values = [...GRID, -1e4, 1e4].map((u) => facts.phi(u, 0.01));
      if (facts.range === 'unbounded') {
        assert.ok(values.some((v) => Math.abs(v) > 1e3), `${name}: called unbounded, but |φ| stays below 1e3`);
      } else {
        const [low, high] = facts.range;
        assert.ok(values.every((v) => v >= low && v <= high), `${name}: φ leaves [${low}, ${high}]`);
        assert.ok(Math.min(...values) - low < 1e-3 && high - Math.max(...values) < 1e-3, `${name}: φ does not fill [${low}, ${high}]`);
      }
    });

    test(`${name}: its book row, best init and help are usable`, () => {
      if (facts.bookRow !== null) assert.ok(Object.hasOwn(BOOK_TABLE, facts.bookRow));
      const init = parseInit(facts.bestInit);
      assert.ok(distributionStd(init.distribution(100, 100, { act: name, gain: 1 }), 100, 100) > 0);
      assert.equal(typeof facts.help, 'string');
      assert.equal(facts.usesAlpha, ALPHAS.some((alpha) => GRID.some((u) => facts.phi(u, alpha) !== facts.phi(u, 0))), `${name}: usesAlpha must say whether φ reads --alpha`);
    });
  }

  test("every row of the book's Table 11-1 covers at least one activation", () => {
    for (const row of Object.keys(BOOK_TABLE)) assert.ok(ACTIVATIONS.some((name) => ACTIVATION[name].bookRow === row), row);
  });

  test('the lists derived from the records name every activation', () => {
    const saturatedRule = FLAG_RULES.find((rule) => rule.flag === 'saturated')!.rule;
    const documented = docs();
    for (const name of ACTIVATIONS) {
      assert.match(helpOf('--act'), new RegExp(`(^|[ (,])${name}\\b`), `--act help lacks ${name}`);
      assert.match(saturatedRule, new RegExp(`[ ,]${name}\\b`), `the saturated rule lacks ${name}`);
      assert.ok(documented.includes(name), `the docs never name ${name}`);
    }
    // Today's words, derived: a change in them is a change in behaviour.
    assert.equal(
      saturatedRule,
      'sat exceeds what φ shows at its best init by more than 25 points: over 75% for relu, leaky-relu, elu, selu (off on z < 0 by design), over 25% for sigmoid, tanh, softsign, linear',
    );
    assert.equal(helpOf('--alpha'), 'leaky-relu negative slope');
  });
});

describe('activation records: the tensor forms agree with the float64 ones', () => {
  before(async () => {
    await selectBackend('auto');
  });
  for (const name of ACTIVATIONS) {
    test(name, async () => {
      const { activationOps } = await import('../src/model/activationOps.js');
      // Off the kinks: at a kink both take the left slope, but float32 rounding may put z on either side.
      const points = GRID.filter((u) => u % 1 !== 0 && Math.abs(u) < 8);
      const alpha = 0.3;
      const ops = activationOps(name, alpha);
      const [phi, slope] = tf.tidy(() => {
        const z = tf.tensor1d(points);
        const a = ops.apply(z);
        return [a.dataSync(), ops.derivative(z, a).dataSync()];
      });
      points.forEach((u, i) => {
        const tol = (x: number) => 1e-5 * Math.max(1, Math.abs(x));
        assert.ok(Math.abs(phi[i] - ACTIVATION[name].phi(u, alpha)) < tol(phi[i]), `φ(${u}): tensor ${phi[i]}, float64 ${ACTIVATION[name].phi(u, alpha)}`);
        assert.ok(Math.abs(slope[i] - ACTIVATION[name].slope(u, alpha)) < tol(slope[i]), `φ'(${u}): tensor ${slope[i]}, float64 ${ACTIVATION[name].slope(u, alpha)}`);
      });
    });
  }
});

describe('initializer entries', () => {
  const fixed = INITIALIZERS.filter((entry): entry is InitEntry => entry.form === 'fixed');
  const parsers = INITIALIZERS.filter((entry): entry is InitParser => entry.form === 'parametric');

  test('names and aliases are unique, and each resolves to its entry, in any case', () => {
    const all = fixed.flatMap((entry) => [entry.name, ...entry.aliases]);
    assert.equal(new Set(all).size, all.length);
    for (const entry of fixed) for (const name of [entry.name, ...entry.aliases]) assert.equal(parseInit(` ${name.toUpperCase()} `).name, entry.name);
  });

  test('every entry says its formula, what it is meant for and who published it', () => {
    for (const entry of INITIALIZERS) {
      const label = entry.form === 'fixed' ? entry.name : entry.prefix;
      assert.ok(entry.formula.length > 0 && entry.meantFor.length > 0 && entry.citation.length > 0, label);
    }
    // Issue 34: the ×4 for the logistic is the Theano tutorial's and Bengio 2012's, not Glorot & Bengio's.
    for (const entry of fixed.filter((e) => e.name.startsWith('xavier-logistic'))) assert.doesNotMatch(`${entry.citation} ${entry.note}`, /Glorot/);
  });

  test('a -uniform twin draws the variance of its normal, uniformly', () => {
    for (const twin of fixed.filter((entry) => entry.uniformOf !== undefined)) {
      const normal = fixed.find((entry) => entry.name === twin.uniformOf)!;
      assert.ok(normal && normal.uniformOf === undefined, twin.name);
      for (const [fanIn, fanOut, act] of [[784, 300, 'relu'], [50, 200, 'tanh'], [30, 30, 'sigmoid']] as const) {
        const u = twin.distribution(fanIn, fanOut, { act, gain: 1 });
        const n = normal.distribution(fanIn, fanOut, { act, gain: 1 });
        assert.equal(u.kind, 'uniform', twin.name);
        assert.ok(Math.abs(distributionStd(u, fanIn, fanOut) / distributionStd(n, fanIn, fanOut) - 1) < 1e-12, `${twin.name} vs ${normal.name}`);
      }
    }
  });

  test('usesGain and perActivation say exactly what the distribution reads', () => {
    for (const entry of fixed) {
      const std = (act: ActivationName, gain: number) => distributionStd(entry.distribution(300, 100, { act, gain }), 300, 100);
      assert.equal(std('relu', 1) !== std('relu', 2), entry.usesGain, `${entry.name}: usesGain`);
      assert.equal(std('relu', 1) !== std('tanh', 1) || std('relu', 1) !== std('sigmoid', 1), entry.perActivation, `${entry.name}: perActivation`);
    }
  });

  test('each parametric form parses its example, and its syntax starts with its prefix', () => {
    for (const parser of parsers) {
      assert.ok(parser.syntax.startsWith(parser.prefix) && parser.shortSyntax.startsWith(parser.prefix) && parser.example.startsWith(parser.prefix));
      assert.ok(distributionStd(parseInit(parser.example).distribution(100, 100, { act: 'relu', gain: 1 }), 100, 100) > 0, parser.example);
    }
  });

  test('the name list, the catalogue, the --init help and the docs cover every entry', () => {
    const help = helpOf('--init');
    const catalogue = INIT_CATALOGUE.map((row) => row.name);
    const documented = docs();
    for (const entry of fixed) {
      for (const name of [entry.name, ...entry.aliases]) assert.ok(INIT_NAMES.includes(name), `INIT_NAMES lacks ${name}`);
      if (entry.uniformOf === undefined) assert.match(help, new RegExp(`[ ,]${entry.name}(,|$)`), `--init help lacks ${entry.name}`);
      // The book's schemes depend on --act: `vgrad inits` shows them in the book's own table.
      assert.equal(catalogue.includes(entry.name), !entry.perActivation, `catalogue and ${entry.name}`);
      assert.ok(documented.includes(`\`${entry.name}\``), `the docs never name \`${entry.name}\``);
    }
    for (const parser of parsers) {
      assert.ok(INIT_NAMES.includes(parser.syntax) && help.includes(parser.shortSyntax) && catalogue.includes(parser.example), parser.prefix);
    }
    assert.equal(catalogue.length, INITIALIZERS.filter((entry) => entry.form === 'parametric' || !entry.perActivation).length);
  });
});

describe('data source entries', () => {
  test('each source parses to itself, in any case (a folder keeps its case), and the help and the error list it', () => {
    for (const source of DATA_SOURCES) {
      const text = source.argument === undefined ? source.name : `${source.name}:Some/Dir`;
      assert.equal(parseDataSource(` ${text.replace(source.name, source.name.toUpperCase())} `)?.canonical, text);
      assert.ok(helpOf('--data').includes(source.argument === undefined ? source.name : `${source.name}:${source.argument}`));
      assert.ok(helpOf('--train-size').includes(source.name) && helpOf('--test-size').includes(source.name));
    }
    assert.equal(parseDataSource('cifar'), undefined);
    assert.deepEqual(DATA_SOURCE_SYNTAX, ['mnist', 'gaussian', 'idx:DIR']);
    assert.equal(helpOf('--data'), 'mnist (embedded 10k digits), gaussian, or idx:DIR (MNIST/Fashion-MNIST IDX files)');
    assert.equal(helpOf('--train-size'), 'training samples (mnist, gaussian: 8000; idx: all), stratified');
  });

  test('what a source says it knows without loading is what loading it gives', () => {
    for (const source of DATA_SOURCES.filter((s) => s.knownInput !== null)) {
      const data = loadDataset({ data: source.name, seed: 5, standardize: false, trainSize: 200, testSize: 10 });
      const x = data.train.x;
      let sum = 0;
      for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
      assert.equal(data.features, source.knownInput!.features);
      assert.equal(data.classes, source.knownInput!.classes);
      // 156,800 squares of N(0,1): E[x²] has sd √(2/156800) ≈ 0.0036; 5 sd.
      assert.ok(Math.abs(sum / x.length - source.knownInput!.inputSecondMoment) < 0.018, `${source.name}: E[x²] ${sum / x.length}`);
    }
  });
});

describe('optimizer entries', () => {
  test('--momentum is said for exactly the optimizers that read it', () => {
    assert.deepEqual(Object.keys(OPTIMIZER), [...OPTIMIZERS]);
    assert.deepEqual(Object.keys(OPTIMIZER_MAKERS), [...OPTIMIZERS]);
    assert.equal(helpOf('--momentum'), `momentum coefficient for --optimizer ${OPTIMIZERS.filter((name) => OPTIMIZER[name].usesMomentum).join(', ')}`);
    assert.equal(helpOf('--momentum'), 'momentum coefficient for --optimizer momentum');
  });
});

// ---------------------------------------------------------------------------------------------
// No module outside the records branches on a name.

/** The files that are the records (a name may key an entry there). */
const RECORD_FILES = ['model/activations.ts', 'model/activationOps.ts', 'model/initializers.ts', 'config/optimizers.ts', 'train/optimizers.ts', 'data/sources.ts'];

interface Names {
  /** Names no switch, comparison or lookup may key on. */
  keyed: string[];
  /** Of those, the ones no list or object literal may key on either (optimizer names double as option keys: `momentum`). */
  listed: string[];
}

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[\s;{}(),])\/\/.*$/gm, '$1');
}

/**
 * What in `source` branches on a name, one line each: a `case 'name'` (unless the switch is on a
 * `.kind`, the tag of a union such as a distribution or a bin spec), a comparison with a name
 * (same exception), a literal lookup `x['name']`, a list of two names, or an object keyed by a name.
 */
function nameBranches(source: string, names: Names): string[] {
  const code = withoutComments(source);
  const found: string[] = [];
  const isKeyed = (name: string) => names.keyed.includes(name);
  const isListed = (name: string) => names.listed.includes(name);
  const onKind = (subject: string) => /\.kind\)?$/.test(subject.trim());
  for (const m of code.matchAll(/\bcase\s+'([^']+)'\s*:/g)) {
    if (!isKeyed(m[1])) continue;
    const switches = [...code.slice(0, m.index).matchAll(/\bswitch\s*\(([^)]*)\)/g)];
    const subject = switches.length > 0 ? switches[switches.length - 1][1] : '';
    if (!onKind(subject)) found.push(`switch (${subject}) case '${m[1]}'`);
  }
  for (const m of code.matchAll(/([\w.$\])]+)\s*[!=]==?\s*'([^']+)'/g)) if (isKeyed(m[2]) && !onKind(m[1])) found.push(`${m[1]} === '${m[2]}'`);
  for (const m of code.matchAll(/'([^']+)'\s*[!=]==?\s*([\w.$]+)/g)) if (isKeyed(m[1]) && !onKind(m[2])) found.push(`'${m[1]}' === ${m[2]}`);
  for (const m of code.matchAll(/\[\s*'([^']+)'\s*\]/g)) if (isKeyed(m[1])) found.push(`['${m[1]}']`);
  for (const m of code.matchAll(/'([^']+)'\s*,\s*'([^']+)'/g)) if (isListed(m[1]) && isListed(m[2])) found.push(`'${m[1]}', '${m[2]}'`);
  for (const m of code.matchAll(/(?:^|[{,])\s*(['"]?)([\w-]+)\1\s*:(?!:)/gm)) if (isListed(m[2])) found.push(`{ ${m[2]}: … }`);
  return found;
}

const actNames = [...ACTIVATIONS];
const initNames = INITIALIZERS.flatMap((entry) => (entry.form === 'fixed' ? [entry.name, ...entry.aliases] : []));
const NAMES: Names = {
  keyed: [...actNames, ...initNames, ...OPTIMIZERS, ...DATA_SOURCES.map((source) => source.name)],
  listed: [...actNames, ...initNames],
};

describe('no module outside the records branches on an activation, initializer, optimizer or data-source name', () => {
  test('the check finds each way of branching on a name, and leaves what is not one', () => {
    const branching = [
      "switch (act) {\n  case 'relu':\n    return 1;\n}",
      "return act === 'selu' ? 2 : 1;",
      "if ('he' !== config.init) x();",
      "const x = FACTS['tanh'];",
      "const DEAD = new Set(['relu', 'elu']);",
      "const ROW = { logistic: 'sigmoid', tanh: 'tanh' };",
      "const T = {\n  'leaky-relu': 3,\n};",
      "if (c.optimizer === 'momentum') y();",
      "if (options.data === 'gaussian') z();",
    ];
    for (const snippet of branching) assert.equal(nameBranches(snippet, NAMES).length > 0, true, `not caught: ${snippet}`);
    const fine = [
      "switch (dist.kind) {\n  case 'orthogonal':\n    return 1;\n}",
      "if (spec.kind === 'linear') x();",
      "option({ key: 'act', default: 'relu' });",
      "// switch (act) { case 'relu': }",
      "/* act === 'tanh' */",
      "const keys = ['act', 'init', 'momentum'];",
      "const m = { momentum: values.momentum };",
      "const url = 'https://example.com'; // act === 'relu'",
    ];
    for (const snippet of fine) assert.deepEqual(nameBranches(snippet, NAMES), [], `flagged: ${snippet}`);
  });

  test('src/', () => {
    const src = join(ROOT, 'src');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.ts')) files.push(path);
      }
    };
    walk(src);
    assert.ok(files.length > 50, `only ${files.length} source files found`);
    const offenders: string[] = [];
    for (const file of files) {
      const path = relative(src, file).split('\\').join('/');
      if (RECORD_FILES.includes(path)) continue;
      for (const hit of nameBranches(readFileSync(file, 'utf8'), NAMES)) offenders.push(`src/${path}: ${hit}`);
    }
    assert.deepEqual(offenders, [], `branching on a name outside the records (read the record instead):\n${offenders.join('\n')}`);
    for (const record of RECORD_FILES) assert.ok(files.some((file) => relative(src, file).split('\\').join('/') === record), `record file ${record} moved: update RECORD_FILES`);
  });
});
