/**
 * The secret scan's records: every stdout and stderr of the suite's CLI runs, spawned or in-process,
 * and every secret the suite handed out. Lives apart from test/e2e/cli.ts so that in-process runs
 * (test/support/cli.ts), which need no dist/, record theirs too.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Every stdout and stderr of the end-to-end suite is kept here, with every secret the suite
 * handed out, so test/e2e/secret-scan.final.test.ts can check that no secret was ever printed.
 * `npm test` empties it first.
 */
export const outputLogDir = join(projectRoot, '.e2e-logs');
let recorded = 0;

/**
 * Keeps one run's output for the secret scan. `printsSecret`: printing a secret on stdout is the
 * point of this run (`auth token`, the sandbox's first lines), so only its stderr is scanned.
 */
export function recordOutput(args: readonly string[], stdout: string, stderr: string, printsSecret = false): void {
  mkdirSync(outputLogDir, { recursive: true });
  const file = join(outputLogDir, `${process.pid}-${++recorded}.json`);
  writeFileSync(file, JSON.stringify({ args, stdout, stderr, printsSecret }));
}

/** A secret the suite used (a token, a key, a client secret): it must never appear in any recorded output. */
export function registerSecret(value: string): void {
  if (!value) return;
  mkdirSync(join(outputLogDir, 'secrets'), { recursive: true });
  writeFileSync(join(outputLogDir, 'secrets', `${process.pid}-${++recorded}.txt`), value);
}

/** Runs whose stdout is a secret on purpose: `auth token`, and `sandbox` printing its token. */
export function printsSecretOnPurpose(args: readonly string[]): boolean {
  // The command's words, without options and the values of the global options that take one
  // (`--profile sandbox auth status` is not the sandbox command).
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (GLOBAL_VALUE_OPTIONS.has(arg)) i++;
    else if (!arg.startsWith('-')) words.push(arg);
  }
  return (words[0] === 'auth' && words[1] === 'token') || words[0] === 'sandbox';
}

/** Global options followed by a value (see src/cli.ts). */
const GLOBAL_VALUE_OPTIONS = new Set(['--profile', '--api-url']);
