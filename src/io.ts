/**
 * The process's surroundings, as one value the CLI is given: its standard streams, its environment
 * and its clock. `bin/infusionsoft.js` runs `main(argv)` with `processIO()`; tests run `main` in-process
 * with string-capturing streams and an environment of their own (test/support/cli.ts). Code below
 * `cli.ts` takes what it needs from here (a stream, `env`, `now`) instead of reaching for `process`.
 */
import type { Readable, Writable } from 'node:stream';

/** A stream the CLI writes to; a terminal says so (`isTTY`) and how wide it is (`columns`). */
export type OutputStream = Writable & { isTTY?: boolean; columns?: number };

export interface IO {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: Readable;
  env: NodeJS.ProcessEnv;
  /** Wall-clock milliseconds since the epoch (`Date.now` for a real run). */
  now(): number;
}

export function processIO(): IO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    now: Date.now,
  };
}
