/**
 * The one way code below `commands/` talks to the person at the terminal. Everything goes to
 * stderr (stdout is for data). Progress is drawn only on a TTY, and never with --quiet or
 * --no-progress.
 */
import type { OutputStream } from './io.js';

export interface Progress {
  /** Replace the progress text. Cheap to call often: drawing is throttled by the implementation. */
  update(text: string): void;
  /** Remove the progress line. */
  stop(): void;
}

export interface Reporter {
  readonly verbose: boolean;
  readonly quiet: boolean;
  /** A normal message (summaries). Suppressed by --quiet. */
  info(message: string): void;
  /** A warning. Shown even with --quiet. */
  warn(message: string): void;
  /** Detail for --verbose only. */
  debug(message: string): void;
  /** A live progress line on a TTY; a no-op elsewhere. */
  progress(initial: string): Progress;
}

export interface ReporterOptions {
  verbose?: boolean;
  quiet?: boolean;
  progress?: boolean;
  /** Where messages go: the CLI's stderr (`io.stderr`); process.stderr when not given. */
  stream?: OutputStream;
  /** The environment, for NO_COLOR; process.env when not given. */
  env?: NodeJS.ProcessEnv;
}

const noProgress: Progress = { update() {}, stop() {} };

export function createReporter(options: ReporterOptions = {}): Reporter {
  const stream = options.stream ?? process.stderr;
  const verbose = options.verbose ?? false;
  const quiet = options.quiet ?? false;
  // A terminal that reports no width (some CI consoles, `stty cols 0`) makes a spinner redraw forever.
  const showProgress = (options.progress ?? true) && !quiet && stream.isTTY === true && (stream.columns ?? 0) > 0;
  const color = stream.isTTY === true && !(options.env ?? process.env).NO_COLOR;
  const yellow = (s: string) => (color ? `\u001b[33m${s}\u001b[39m` : s);
  const dim = (s: string) => (color ? `\u001b[2m${s}\u001b[22m` : s);
  let active: { stop(): void } | undefined;
  const write = (line: string) => {
    stream.write(`${line}\n`);
  };
  return {
    verbose,
    quiet,
    info(message) {
      if (!quiet) write(message);
    },
    warn(message) {
      write(yellow(`warning: ${message}`));
    },
    debug(message) {
      if (verbose) write(dim(message));
    },
    progress(initial) {
      if (!showProgress) return noProgress;
      let spinner: { text: string; stop(): void } | undefined;
      let stopped = false;
      let pending = initial;
      // ora is loaded lazily so non-TTY runs (cron) never pay for it.
      void import('ora').then(({ default: ora }) => {
        if (stopped) return;
        // discardStdin would put the terminal in raw mode, where Ctrl-C stops being a signal to
        // the process group and an export kept running after it.
        spinner = ora({
          text: pending,
          stream: stream as NodeJS.WritableStream,
          discardStdin: false,
          ...(color ? {} : { color: false as const }),
        }).start();
        active = spinner;
      });
      return {
        update(text) {
          pending = text;
          if (spinner) spinner.text = text;
        },
        stop() {
          stopped = true;
          spinner?.stop();
          if (active === spinner) active = undefined;
        },
      };
    },
  };
}

/** A reporter that prints nothing: for library use and tests. */
export const silentReporter: Reporter = {
  verbose: false,
  quiet: true,
  info() {},
  warn() {},
  debug() {},
  progress: () => noProgress,
};

/** `1 request`, `2 requests`, `1,000 records`: a count with its noun in singular or plural. */
export function counted(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}
