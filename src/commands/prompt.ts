/**
 * The production prompter and browser opener that `processIO()` hands to commands: prompts on
 * stderr (a secret is never echoed), lines from a pipe when stdin is not a terminal, and the
 * system's browser. Tests inject their own (test/support/prompter.ts).
 */
import type { Interface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { BrowserOpener, OutputStream, Prompter } from '../io.js';

/** readline, loaded when a prompt is first needed: most runs never prompt (issue 19, start-up). */
const readline = () => import('node:readline');

/** Lines of a piped stdin, handed out one per request. */
class PipedLines {
  private readonly lines: string[] = [];
  private readonly waiting: Array<(line: string | undefined) => void> = [];
  private ended = false;
  constructor(private readonly reader: Interface) {
    this.reader.on('line', (line) => {
      const next = this.waiting.shift();
      if (next) next(line);
      else this.lines.push(line);
    });
    this.reader.on('close', () => {
      this.ended = true;
      for (const next of this.waiting.splice(0)) next(undefined);
    });
  }
  next(signal?: AbortSignal): Promise<string | undefined> {
    if (this.lines.length) return Promise.resolve(this.lines.shift());
    if (this.ended || signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const deliver = (line: string | undefined) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(line);
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(deliver);
        if (at >= 0) this.waiting.splice(at, 1);
        resolve(undefined);
      };
      this.waiting.push(deliver);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
  close(): void {
    this.reader.close();
  }
}

/** One prompt on the terminal; `secret` mutes the echo of what is typed. */
async function promptTerminal(
  streams: { input: Readable; output: OutputStream },
  prompt: string,
  secret: boolean,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const { input, output } = streams;
  const { createInterface } = await readline();
  return new Promise((resolve) => {
    const reader = createInterface({ input, output, terminal: true });
    let muted = false;
    // readline echoes through _writeToOutput; muting it keeps a typed secret off the screen.
    const internal = reader as unknown as { _writeToOutput: (text: string) => void };
    internal._writeToOutput = (text: string) => {
      if (!muted) output.write(text);
    };
    let answered = false;
    const finish = (value: string | undefined) => {
      if (answered) return;
      answered = true;
      signal?.removeEventListener('abort', onAbort);
      reader.close();
      if (secret) output.write('\n');
      resolve(value);
    };
    const onAbort = () => finish(undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
    // In raw mode Ctrl-C is a byte readline reads, not the SIGINT the terminal would send; without
    // this readline just closes, and the login waits on with no prompt. Raised as the real signal,
    // it stops the login as Ctrl-C stops any run (the abort then answers this prompt).
    reader.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
    reader.on('close', () => finish(undefined));
    reader.question(prompt, (answer) => finish(answer));
    muted = secret;
  });
}

/** Prompts on `output` when `input` is a terminal; otherwise the lines of a pipe, one per request. */
export function terminalPrompter(input: Readable & { isTTY?: boolean }, output: OutputStream): Prompter {
  let piped: Promise<PipedLines> | undefined;
  return {
    interactive: input.isTTY === true,
    async readLine(prompt, options = {}) {
      if (input.isTTY) return promptTerminal({ input, output }, prompt, options.secret ?? false, options.signal);
      piped ??= readline().then(({ createInterface }) => new PipedLines(createInterface({ input })));
      return (await piped).next(options.signal);
    },
    close() {
      void piped?.then((lines) => lines.close());
      // A pipe left open by the caller must not keep the finished command alive.
      if (!input.isTTY) input.destroy();
    },
  };
}

/** Opens the system's browser with `open` (xdg-open on Linux); refuses at once where there is no display. */
export function systemBrowserOpener(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): BrowserOpener {
  return async (url, onFailure) => {
    const missing = noDisplay(env, platform);
    if (missing) throw new Error(missing);
    const { default: open } = await import('open');
    const child = await withoutOurVariables(() => open(url));
    child.on('error', (error) => onFailure(error.message));
    // The opener (xdg-open) exits at once, non-zero when it found no browser to hand the address to.
    child.on('exit', (code) => {
      if (code) onFailure(`the opener exited with status ${code}`);
    });
    child.unref();
  };
}

/**
 * Why no browser can be opened here, or undefined. On Linux a browser needs a display, unless
 * `BROWSER` names one (a text browser, a script); WSL opens Windows' browser.
 */
function noDisplay(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'linux' || env.DISPLAY || env.WAYLAND_DISPLAY || env.BROWSER || env.WSL_DISTRO_NAME) return undefined;
  return 'no display: DISPLAY and WAYLAND_DISPLAY are not set';
}

/**
 * Runs `launch` with no INFUSIONSOFT_* variable in the process environment, so the browser it
 * starts (which inherits it, and lives on after the login) never holds a client secret, access
 * token or key. `open` spawns with the process's environment and takes none of its own.
 */
async function withoutOurVariables<T>(launch: () => Promise<T>): Promise<T> {
  const saved = Object.entries(process.env).filter(([name]) => name.startsWith('INFUSIONSOFT_'));
  for (const [name] of saved) delete process.env[name];
  try {
    return await launch();
  } finally {
    for (const [name, value] of saved) process.env[name] = value;
  }
}
