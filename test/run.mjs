#!/usr/bin/env node
// Runs the whole suite with vitest and ends with the plain line `N passed, N failed`
// (what CI reads), plus `, N skipped` when tests were skipped. Exit status is vitest's.
// Two passes: every test, then the `*.final.test.ts` checks of what they left behind (the secret
// scan over every end-to-end output, kept in .e2e-logs/ by test/e2e/cli.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.vitest-results.json');
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
rmSync(join(root, '.e2e-logs'), { recursive: true, force: true });

let passed = 0;
let failed = 0;
let skipped = 0;
let ok = true;
// A filtered run (`npm test -- some/file`) checks only what it asked for.
const passes = process.argv.length > 2 ? [false] : [false, true];
for (const final of passes) {
  rmSync(out, { force: true });
  const run = spawnSync(
    process.execPath,
    [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)],
    { cwd: root, stdio: 'inherit', env: { ...process.env, VITEST_FINAL: final ? '1' : '0' } },
  );
  try {
    const results = JSON.parse(readFileSync(out, 'utf8'));
    passed += results.numPassedTests;
    failed += results.numFailedTests;
    skipped += results.numPendingTests + (results.numTodoTests ?? 0);
    // A file that failed to load has no tests but is still a failure.
    failed += results.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
  } catch {
    failed = Math.max(failed, 1);
  }
  if (run.status !== 0) ok = false;
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (passed === 0 && failed === 0) process.exit(1);
process.exit(ok && failed === 0 ? 0 : 1);
