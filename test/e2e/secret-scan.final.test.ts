/**
 * No token or secret the suite used appears in any stdout or stderr of the whole end-to-end suite
 * (every run of the binary, every sandbox process's request log), except where printing it is the
 * point: `auth token`'s stdout and the sandbox's own first lines. test/e2e/cli.ts records the
 * outputs and the secrets in .e2e-logs/; `npm test` runs this file after everything else.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { outputLogDir } from './cli.js';

interface Recorded {
  args: string[];
  stdout: string;
  stderr: string;
  printsSecret: boolean;
}

it('no secret appears in any output of the end-to-end suite', () => {
  expect(existsSync(outputLogDir), 'no recorded outputs: run the whole suite with `npm test`').toBe(true);
  const secretsDir = join(outputLogDir, 'secrets');
  const secrets = [...new Set(readdirSync(secretsDir).map((name) => readFileSync(join(secretsDir, name), 'utf8')))].filter(
    (s) => s.length >= 8,
  );
  const runs = readdirSync(outputLogDir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(outputLogDir, name), 'utf8')) as Recorded);
  // A scan of nothing proves nothing: the suite ran the binary many times and handed out tokens.
  expect(runs.length).toBeGreaterThan(50);
  expect(secrets.length).toBeGreaterThan(5);
  expect(runs.some((r) => r.args.includes('--verbose'))).toBe(true);

  const leaks: string[] = [];
  for (const run of runs) {
    const streams: Array<[string, string]> = [['stderr', run.stderr]];
    if (!run.printsSecret) streams.push(['stdout', run.stdout]);
    for (const [stream, text] of streams) {
      for (const secret of secrets) {
        if (text.includes(secret)) leaks.push(`infusionsoft ${run.args.join(' ')}: ${stream} holds a secret (${secret.slice(0, 4)}...)`);
      }
    }
  }
  expect(leaks).toEqual([]);
});

it('the runs that print a secret on purpose did print one (so the scan would see a leak)', () => {
  const runs = readdirSync(outputLogDir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(outputLogDir, name), 'utf8')) as Recorded);
  const secretsDir = join(outputLogDir, 'secrets');
  const secrets = readdirSync(secretsDir).map((name) => readFileSync(join(secretsDir, name), 'utf8'));
  // `auth token --json` prints {"token": ...} (docs/json.md), or an error object when it has none;
  // without --json, the token alone.
  const printed = (run: Recorded) =>
    run.args.includes('--json') ? (JSON.parse(run.stdout) as { token?: string }).token : run.stdout.trim();
  const tokenRuns = runs.filter((r) => r.printsSecret && r.args.includes('token') && r.stdout.trim() && printed(r) !== undefined);
  expect(tokenRuns.length).toBeGreaterThan(0);
  for (const run of tokenRuns) expect(secrets).toContain(printed(run));
});
