#!/bin/sh
# The test command StrykerJS runs for every mutant (npm run mutate): the unit-level tests that cover
# src/model, src/probes, src/config and src/store, fastest first, stopping at the first failing file
# (most mutants die in the first one). Run from the sandbox Stryker builds, after its tsc build.
set -e
for file in probes config store initializers; do
  node --test "dist/test/$file.test.js" > /dev/null
done
