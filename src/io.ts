/**
 * The process's surroundings, as one value the CLI is given: its standard streams, its environment
 * and its clock, and, like gh's cmdutil.Factory, what talks to the person and the desktop: the
 * prompter, the browser opener and the secret stores (the keychain). `bin/infusionsoft.js` runs
 * `main(argv)` with `processIO()`; tests run `main` in-process with string-capturing streams, an
 * environment of their own, a scripted prompter, a recording opener and an in-memory or wedged
 * keychain (test/support/cli.ts). Code below `cli.ts` takes what it needs from here instead of
 * reaching for `process`.
 */
import type { Readable, Writable } from 'node:stream';
import type { SecretStores } from './auth/secrets.js';
import { systemBrowserOpener, terminalPrompter } from './commands/prompt.js';

/** A stream the CLI writes to; a terminal says so (`isTTY`) and how wide it is (`columns`). */
export type OutputStream = Writable & { isTTY?: boolean; columns?: number };

export interface IO {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: Readable;
  env: NodeJS.ProcessEnv;
  /** Wall-clock milliseconds since the epoch (`Date.now` for a real run). */
  now(): number;
  /** A prompter for one command (a login): it may hold stdin until closed. */
  prompter(): Prompter;
  openBrowser: BrowserOpener;
  /**
   * Where secrets are kept: the keychain (behind its helper process) or a 0600 file. Absent in a
   * real run: the system's for `env` (auth/resolver.ts `storesOf`), loaded with the auth code that
   * uses it, so a command that needs no credential never loads the keychain (issue 19, start-up).
   */
  secrets?: SecretStores;
}

/** Asks the person for a line: a terminal prompt (a secret is not echoed), or the next line of a pipe. */
export interface Prompter {
  /** A person types at a terminal: a refused client secret can be asked for again. */
  readonly interactive: boolean;
  /** The next line; undefined at end of input or when `signal` aborts. */
  readLine(prompt: string, options?: { secret?: boolean; signal?: AbortSignal }): Promise<string | undefined>;
  /** Lets go of stdin, so the finished command does not wait on it. */
  close(): void;
}

/**
 * Opens `url` in a browser. Rejects with the reason when none can be opened (no display);
 * `onFailure` hears of a failure that shows only after the launch (the opener found no browser).
 */
export type BrowserOpener = (url: string, onFailure: (why: string) => void) => Promise<void>;

/**
 * The real run's IO. Nothing here is made before a command asks for it: `process.stdin` (a stream
 * Node makes on first use) only when a command reads it, the prompter's readline when it prompts.
 */
export function processIO(): IO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    now: Date.now,
    prompter: () => terminalPrompter(process.stdin, process.stderr),
    openBrowser: systemBrowserOpener(process.env, process.platform),
  };
}
