/**
 * How a line on stderr looks (issue 19, item 3). On a terminal, as written. Anywhere else (cron
 * mail, journald, a log file) each line starts with a UTC ISO-8601 timestamp, so the log shows
 * when each step happened. `--log-format json` writes one object per line instead:
 * `{"level", "time", "message", "fields"}`, for log shippers. stdout is never touched. Whether
 * colour is used is `colorsFor`'s: NO_COLOR and FORCE_COLOR are honoured everywhere.
 */
import type { OutputStream } from './io.js';

export type LogFormat = 'text' | 'json';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFields = Record<string, unknown>;

export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

export interface LineWriterOptions {
  stream: OutputStream;
  format: LogFormat;
  /** Wall-clock milliseconds since the epoch (`io.now`). */
  now: () => number;
}

/**
 * Writes one message. `styled` is the text form (a `warning: ` prefix, colours); JSON gets the
 * plain `message`. A text message of several lines gets the timestamp on each.
 */
export type LineWriter = (level: LogLevel, message: string, options?: { styled?: string; fields?: LogFields }) => void;

export function createLineWriter(options: LineWriterOptions): LineWriter {
  const { stream, format, now } = options;
  const stamped = stream.isTTY !== true;
  return (level, message, extra = {}) => {
    const time = new Date(now()).toISOString();
    if (format === 'json') {
      stream.write(`${JSON.stringify({ level, time, message, fields: extra.fields ?? {} })}\n`);
      return;
    }
    const text = extra.styled ?? message;
    const lines = stamped ? text.split('\n').map((line) => `${time} ${line}`) : [text];
    stream.write(`${lines.join('\n')}\n`);
  };
}

/** `--log-format` as given on the command line, read before commander has parsed it (for errors). */
export function logFormatIn(argv: readonly string[]): LogFormat {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') break;
    const value = arg === '--log-format' ? argv[i + 1] : arg?.startsWith('--log-format=') ? arg.slice('--log-format='.length) : undefined;
    if (value === 'json') return 'json';
  }
  return 'text';
}

/**
 * Colour forced on or off by the run's environment (not the process's): off with NO_COLOR (any
 * non-empty value, no-color.org) or FORCE_COLOR=0/false; on with any other non-empty FORCE_COLOR
 * or with CLICOLOR_FORCE; undefined when neither says, and the stream decides.
 */
export function forcedColors(env: NodeJS.ProcessEnv): boolean | undefined {
  if (env.NO_COLOR || env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
  if (env.FORCE_COLOR || env.CLICOLOR_FORCE !== undefined) return true;
  return undefined;
}

/** Whether to colour what goes to `stream`: as forced, else on a terminal that has colours. */
export function colorsFor(stream: OutputStream & { hasColors?: () => boolean }, env: NodeJS.ProcessEnv): boolean {
  return forcedColors(env) ?? (stream.isTTY === true && (stream.hasColors?.() ?? true));
}
