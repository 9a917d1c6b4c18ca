/**
 * The one way code below `commands/` talks to the person at the terminal. Everything goes to
 * stderr (stdout is for data). Progress is drawn only on a TTY, and never with --quiet,
 * --no-progress or `--log-format json`. Off a terminal each line starts with a UTC timestamp, and
 * `--log-format json` makes each one a JSON object (`log-lines.ts`).
 */
import type { OutputStream } from './io.js';
import { colorsFor, createLineWriter, type LogFields, type LogFormat } from './log-lines.js';

export interface Progress {
  /** Replace the progress text. Cheap to call often: drawing is throttled by the implementation. */
  update(text: string): void;
  /** Remove the progress line. */
  stop(): void;
}

export interface Reporter {
  readonly verbose: boolean;
  readonly quiet: boolean;
  /** A normal message (summaries). Suppressed by --quiet. `fields` go into a JSON line only. */
  info(message: string, fields?: LogFields): void;
  /** A warning. Shown even with --quiet. */
  warn(message: string, fields?: LogFields): void;
  /** Detail for --verbose only. */
  debug(message: string, fields?: LogFields): void;
  /** A live progress line on a TTY; a no-op elsewhere. */
  progress(initial: string): Progress;
}

export interface ReporterOptions {
  verbose?: boolean;
  quiet?: boolean;
  progress?: boolean;
  /** Where messages go: the CLI's stderr (`io.stderr`); process.stderr when not given. */
  stream?: OutputStream;
  /** The environment, for NO_COLOR and FORCE_COLOR: the CLI's (`io.env`), never taken from the process behind its back. */
  env: NodeJS.ProcessEnv;
  /** `--log-format`: text (the default) or one JSON object per line. */
  format?: LogFormat;
  /** The clock of the timestamps (`io.now`); Date.now when not given. */
  now?: () => number;
}

const noProgress: Progress = { update() {}, stop() {} };

export function createReporter(options: ReporterOptions): Reporter {
  const stream = options.stream ?? process.stderr;
  const verbose = options.verbose ?? false;
  const quiet = options.quiet ?? false;
  const format = options.format ?? 'text';
  const showProgress = (options.progress ?? true) && !quiet && format === 'text' && stream.isTTY === true;
  // A terminal that reports no width (some CI consoles, `stty cols 0`) makes a spinner redraw
  // forever: there a plain line is drawn instead.
  const sized = (stream.columns ?? 0) > 0;
  const color = format === 'text' && colorsFor(stream, options.env);
  const yellow = (s: string) => (color ? `\u001b[33m${s}\u001b[39m` : s);
  const dim = (s: string) => (color ? `\u001b[2m${s}\u001b[22m` : s);
  let active: { stop(): void } | undefined;
  const line = createLineWriter({ stream, format, now: options.now ?? Date.now });
  const withFields = (fields: LogFields | undefined) => (fields ? { fields } : {});
  return {
    verbose,
    quiet,
    info(message, fields) {
      if (!quiet) line('info', message, withFields(fields));
    },
    warn(message, fields) {
      line('warn', message, { styled: yellow(`warning: ${message}`), ...withFields(fields) });
    },
    debug(message, fields) {
      if (verbose) line('debug', message, { styled: dim(message), ...withFields(fields) });
    },
    progress(initial) {
      if (!showProgress) return noProgress;
      if (!sized) return lineProgress(stream, initial);
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

/** Columns a progress line keeps to where the terminal does not say how wide it is (the classic 80, less one). */
const UNSIZED_WIDTH = 79;
/** Redraws at most this often: a line per record would flood a slow terminal. */
const LINE_REDRAW_MS = 100;

/**
 * Progress as one line redrawn in place (`\r`, erase to the end): cut to UNSIZED_WIDTH so it never
 * wraps, which is what a carriage return cannot undo.
 */
function lineProgress(stream: OutputStream, initial: string): Progress {
  let drawnAt = Number.NEGATIVE_INFINITY;
  let stopped = false;
  const draw = (text: string) => {
    drawnAt = performance.now();
    stream.write(`\r${text.length > UNSIZED_WIDTH ? `${text.slice(0, UNSIZED_WIDTH - 1)}…` : text}\u001b[K`);
  };
  draw(initial);
  return {
    update(text) {
      if (!stopped && performance.now() - drawnAt >= LINE_REDRAW_MS) draw(text);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      stream.write('\r\u001b[K');
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

/** `12s left`, `4m 05s left`, `2h 10m left`: the time a run still needs, for a progress line. */
export function timeLeft(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'time left unknown';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s left`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s left`;
  return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m left`;
}

/** `1 request`, `2 requests`, `1,000 records`: a count with its noun in singular or plural. */
export function counted(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}
