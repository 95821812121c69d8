/**
 * `vgrad report`: every chart from a fixture run and from a fixture folder of several runs (as a
 * sweep stores them: one run folder per cell, found recursively), the self-contained HTML in
 * headless Chromium, PNGs with the right size, more than one colour and rendered text, bad input.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { Resvg } from '@resvg/resvg-js';
import { runCli, runCliBatch, tempDir } from './helpers.js';

const TINY = ['--data', 'gaussian', '--layers', '16,16,16', '--train-size', '200', '--test-size', '60', '--probe-size', '50', '--steps', '12', '--log-every', '4', '--quiet', '--json'];

/** Decodes an 8-bit RGB/RGBA PNG (what resvg and Chromium write) to { width, height, rgba }. */
function decodePng(bytes: Buffer): { width: number; height: number; pixels: Uint8Array } {
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
  let at = 8;
  let width = 0;
  let height = 0;
  let channels = 4;
  const idat: Buffer[] = [];
  while (at < bytes.length) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.subarray(at + 4, at + 8).toString('latin1');
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert.equal(data[8], 8, 'bit depth 8');
      channels = data[9] === 6 ? 4 : data[9] === 2 ? 3 : assert.fail(`colour type ${data[9]}`);
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  const prev = new Uint8Array(stride);
  const line = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? line[x - channels] : 0;
      const b = prev[x];
      const c = x >= channels ? prev[x - channels] : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      line[x] = (v + predictor) & 255;
    }
    for (let x = 0; x < width; x++) for (let k = 0; k < 4; k++) out[(y * width + x) * 4 + k] = k < channels ? line[x * channels + k] : 255;
    prev.set(line);
  }
  return { width, height, pixels: out };
}

function distinctColours(pixels: Uint8Array): number {
  const seen = new Set<number>();
  for (let i = 0; i < pixels.length; i += 4) seen.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
  return seen.size;
}

const CHARTS = ['depth-profile', 'training-curves', 'saturation-map', 'histogram-gradients'];

describe('vgrad report', () => {
  const root = tempDir();
  after(() => rmSync(root, { recursive: true, force: true }));
  // A sweep-like folder: cells as run folders one level down, under names of their own.
  const sweep = join(root, 'sweep');
  let single = '';
  before(() => {
    for (const [act, init] of [['tanh', 'xavier'], ['relu', 'he'], ['sigmoid', 'normal1']]) {
      const out = join(root, `out-${act}`);
      const result = runCli(['run', ...TINY, '--act', act, '--init', init, '--out', out]);
      assert.equal(result.status, 0, result.stderr);
      const [runId] = readdirSync(join(out, 'runs'));
      mkdirSync(sweep, { recursive: true });
      renameSync(join(out, 'runs', runId), join(sweep, `${act}-${init}`));
    }
    single = join(sweep, 'tanh-xavier');
  });

  test('one run folder: every chart as SVG and PNG, and report.html', () => {
    const out = join(root, 'single');
    const result = runCli(['report', single, '--out', out]);
    assert.equal(result.status, 0, result.stderr);
    const files = readdirSync(out).sort();
    for (const chart of [...CHARTS, 'histogram-activations-tanh']) {
      assert.ok(files.includes(`${chart}.svg`) && files.includes(`${chart}.png`), `${chart} in ${files}`);
      assert.match(readFileSync(join(out, `${chart}.svg`), 'utf8'), /^<svg[\s\S]*<\/svg>\s*$/);
    }
    assert.ok(files.includes('report.html'));
    assert.equal(files.filter((f) => f.startsWith('.')).length, 0, 'no staging left behind');
    assert.deepEqual(result.stdout.trim().split('\n').sort(), files.map((f) => join(out, f)).sort());
  });

  test('a folder of several runs (found recursively): one line per configuration; theory dashed beside the measurement', () => {
    const out = join(root, 'several');
    const result = runCli(['report', sweep, '--out', out, '--format', 'svg,html']);
    assert.equal(result.status, 0, result.stderr);
    const files = readdirSync(out);
    assert.equal(files.filter((f) => f.endsWith('.png')).length, 0, '--format without png writes no PNG');
    const depth = readFileSync(join(out, 'depth-profile.svg'), 'utf8');
    for (const init of ['xavier', 'he', 'normal1']) assert.ok(depth.includes(`>${init}<`), `legend entry ${init}`);
    for (const panel of ['tanh · step 0', 'tanh · end', 'relu · step 0', 'sigmoid · end']) assert.ok(depth.includes(panel), panel);
    // Dashed theory lines: vega writes stroke-dasharray on the theory marks.
    assert.match(depth, /stroke-dasharray="5,3"/);
    const curves = readFileSync(join(out, 'training-curves.svg'), 'utf8');
    for (const label of ['tanh · xavier · depth 3', 'relu · he · depth 3', 'sigmoid · normal1 · depth 3']) assert.ok(curves.includes(label), label);
    // One activation histogram per bin family: tanh [-1,1], relu log, sigmoid [0,1].
    for (const act of ['tanh', 'relu', 'sigmoid']) assert.ok(files.includes(`histogram-activations-${act}.svg`), `${act}: ${files}`);
    const map = readFileSync(join(out, 'saturation-map.svg'), 'utf8');
    assert.ok(map.includes('relu · he · depth 3 (dead)') && map.includes('tanh · xavier · depth 3 (saturated)'));
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    for (const head of ['Depth profile', 'Training curves', 'Saturation map', 'Gradient histograms']) assert.ok(html.includes(head), head);
    assert.equal((html.match(/<tr>/g) ?? []).length, 4, 'summary table: a head row and one row per run');
  });

  test('the HTML is self-contained: no script, no external reference', () => {
    const html = readFileSync(join(root, 'several', 'report.html'), 'utf8');
    assert.doesNotMatch(html, /<script|<link|@import|<img/i);
    // The only URLs are XML namespace names, which are never fetched.
    const urls = (html.match(/https?:\/\/[^\s"')]+/g) ?? []).filter((u) => !/^http:\/\/www\.w3\.org\/(2000\/svg|1999\/xlink)$/.test(u));
    assert.deepEqual(urls, []);
  });

  test('PNG: size = SVG size × 2, many colours, text rendered with the shipped font', async () => {
    const out = join(root, 'single');
    const svg = readFileSync(join(out, 'depth-profile.svg'), 'utf8');
    const png = decodePng(readFileSync(join(out, 'depth-profile.png')));
    const [, w, h] = svg.match(/<svg[^>]*width="(\d+(?:\.\d+)?)"[^>]*height="(\d+(?:\.\d+)?)"/)!;
    assert.equal(png.width, Math.round(Number(w) * 2));
    assert.equal(png.height, Math.round(Number(h) * 2));
    assert.ok(distinctColours(png.pixels) > 20, 'not one colour');
    // The same SVG without any font draws no text: the difference is the text's ink.
    const noFont = new Resvg(svg, { font: { loadSystemFonts: false, fontFiles: [] }, fitTo: { mode: 'zoom', value: 2 }, background: 'white' }).render();
    assert.equal(noFont.width, png.width);
    // .pixels is a getter that copies the whole buffer: read it once.
    const bare = noFont.pixels;
    let differing = 0;
    for (let i = 0; i < png.pixels.length; i += 4) if (Math.abs(png.pixels[i] - bare[i]) > 64) differing++;
    assert.ok(differing > 2000, `text ink pixels: ${differing}`);
    // A label alone, rendered as the report does, has ink where the label is.
    const label = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30"><text x="5" y="22" font-family="DejaVu Sans" font-size="16">layer φ</text></svg>`;
    const { pngOptions } = await import('../src/report/chartRender.js');
    const ink = new Resvg(label, { ...pngOptions(), fitTo: { mode: 'original' } }).render();
    const inkPixels = ink.pixels;
    let dark = 0;
    for (let i = 0; i < inkPixels.length; i += 4) if (inkPixels[i] < 128) dark++;
    assert.ok(dark > 50, `ink pixels in the label: ${dark}`);
  });

  test('without --out: a depth sparkline per configuration on stdout, on the fixed scale', () => {
    const result = runCli(['report', sweep]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /log scale 1e-20…1e10/);
    for (const label of ['tanh · xavier · depth 3', 'relu · he · depth 3', 'sigmoid · normal1 · depth 3']) {
      const line = result.stdout.split('\n').find((l) => l.startsWith(label));
      // 4 layers (3 hidden + output): 4 characters per sparkline.
      assert.match(line ?? '', /z var [▁▂▃▄▅▆▇█◂▸·]{4} .* grad var [▁▂▃▄▅▆▇█◂▸·]{4} /, `${label}: ${line}`);
    }
  });

  test('bad input: one line, exit 2, nothing written', () => {
    const out = join(root, 'bad');
    const cases: [string[], RegExp][] = [
      [['report', join(root, 'nope')], /not a folder/],
      [['report', join(root, 'empty-folder')], /no run folders/],
      [['report', sweep, '--out', out, '--format', 'html,gif'], /--format html,gif: unknown format "gif"; allowed/],
      [['report', sweep, '--histogram-steps', 'last'], /--histogram-steps last: allowed/],
    ];
    mkdirSync(join(root, 'empty-folder'));
    const results = runCliBatch(cases.map(([args]) => args));
    for (const [i, [args, message]] of cases.entries()) {
      const result = results[i];
      assert.equal(result.status, 2, `${args}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1);
    }
    assert.equal(existsSync(out), false);
    writeFileSync(join(root, 'a-file'), 'x');
    const file = runCli(['report', single, '--out', join(root, 'a-file')]);
    assert.equal(file.status, 2);
    assert.match(file.stderr, /exists and is not a folder/);
  });

  test('the HTML report in headless Chromium: renders, no console errors, a screenshot that is not blank', (t) => {
    const chromium = ['chromium', 'chromium-browser'].find((name) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0);
    if (!chromium) return t.skip('Chromium is not installed (apt-get install chromium)');
    const profile = tempDir();
    try {
      const html = join(root, 'several', 'report.html');
      const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-crash-reporter', `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0'];
      // Output to files, not pipes: Chromium's helper processes outlive it holding inherited pipes, and
      // spawnSync would wait for them.
      const launch = (args: string[]) => {
        const stdoutFile = join(profile, 'stdout.txt');
        const stderrFile = join(profile, 'stderr.txt');
        const fds = [openSync(stdoutFile, 'w'), openSync(stderrFile, 'w')];
        const result = spawnSync(chromium, [...flags, ...args], { stdio: ['ignore', fds[0], fds[1]], timeout: 60_000, killSignal: 'SIGKILL' });
        fds.forEach((fd) => closeSync(fd));
        return { status: result.status, stdout: readFileSync(stdoutFile, 'utf8'), stderr: readFileSync(stderrFile, 'utf8') };
      };
      const dom = launch(['--dump-dom', `file://${html}`]);
      if (dom.status !== 0 && /cannot open display|Failed to launch|crashpad/i.test(dom.stderr) && !dom.stdout) return t.skip(`Chromium cannot start: ${dom.stderr.split('\n')[0]}`);
      assert.equal(dom.status, 0, dom.stderr);
      assert.match(dom.stdout, /<svg/);
      assert.match(dom.stdout, /Depth profile/);
      assert.doesNotMatch(dom.stderr, /CONSOLE\(\d+\)|Uncaught|net::ERR/);
      // At 1200 px nothing scrolls sideways: a copy of the report with one line of script reports
      // the page's scroll width in its title, or a figure's or table's right edge if further (the report itself has no script).
      const probe = join(profile, 'probe.html');
      writeFileSync(probe, readFileSync(html, 'utf8').replace('</body>', '<script>document.title = "scrollWidth=" + Math.max(document.documentElement.scrollWidth, ...[...document.querySelectorAll("figure, table")].map((e) => e.getBoundingClientRect().right + e.scrollWidth - e.clientWidth)) + " innerWidth=" + innerWidth;</script></body>'));
      const measured = launch(['--window-size=1200,900', '--dump-dom', `file://${probe}`]);
      const [, scrollWidth, innerWidth] = measured.stdout.match(/<title>scrollWidth=(\d+) innerWidth=(\d+)<\/title>/) ?? assert.fail(`no measurement: ${measured.stderr.slice(0, 300)}`);
      assert.equal(Number(innerWidth), 1200);
      assert.ok(Number(scrollWidth) <= 1200, `the page is ${scrollWidth} px wide at a 1200 px window`);
      const shot = join(profile, 'shot.png');
      const screenshot = launch([`--screenshot=${shot}`, '--window-size=1200,900', `file://${html}`]);
      assert.equal(screenshot.status, 0, screenshot.stderr);
      const png = decodePng(readFileSync(shot));
      assert.equal(png.width, 1200);
      assert.ok(distinctColours(png.pixels) > 20, 'the screenshot is not blank');
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
