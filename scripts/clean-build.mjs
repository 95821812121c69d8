#!/usr/bin/env node
/**
 * `npm pack` (prepack): removes the compiled sources and the compiler's incremental state, so the
 * build that follows writes dist/src afresh and the tarball holds no JavaScript left over from a
 * source file since deleted or renamed. dist/mnist-digits.bin stays (pack-mnist rewrites it only
 * when it does not match the installed `mnist` package).
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
for (const name of ['src', 'test', '.tsbuildinfo']) rmSync(join(dist, name), { recursive: true, force: true });
