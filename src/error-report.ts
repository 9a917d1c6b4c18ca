/**
 * What an error says, once, for both readers: the person (stderr) and a script (`--json`: one
 * object on stdout, docs/json.md). cli.ts decides where each goes; this module only says what.
 */
import { CommanderError } from 'commander';
import { CliError, ExitCode } from './errors.js';
import { hintFor } from './hints.js';

export interface ErrorReport {
  message: string;
  exitCode: number;
  /** What to do next, or null when there is nothing to add. */
  hint: string | null;
  /** Commander printed its own message (and the help hint) on stderr already. */
  printedByCommander: boolean;
  /** The run's result document, when the run produced one before it failed. */
  result?: object;
}

/**
 * Commander's `showHelpAfterError` line, as a hint: what a person reads under a usage error on stderr.
 * Kept in one place so the JSON hint says what the terminal says.
 */
export const USAGE_HINT = 'run with --help for usage';

/** The error as message, exit code and hint. Help and version are "errors" only to commander: exit 0. */
export function errorReport(error: unknown, verbose: boolean): ErrorReport {
  if (error instanceof CommanderError) {
    const done = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0;
    return {
      message: error.message.replace(/^error: /, ''),
      exitCode: done ? ExitCode.ok : ExitCode.usage,
      hint: done ? null : USAGE_HINT,
      printedByCommander: true,
    };
  }
  if (error instanceof CliError) {
    return {
      message: error.message,
      exitCode: error.exitCode,
      hint: hintFor(error) ?? null,
      printedByCommander: false,
      ...(error.result ? { result: error.result } : {}),
    };
  }
  return {
    message: error instanceof Error ? error.message : String(error),
    exitCode: ExitCode.failure,
    hint: verbose ? null : 'run again with --verbose for details',
    printedByCommander: false,
  };
}

/**
 * The error as a script reads it under --json: `{"error": {message, exitCode, hint}}`, after the
 * result's own fields when the run produced a result before it failed (an import with failed rows
 * still says what it did). The message and hint are the ones stderr shows, so nothing is in here
 * that the terminal would not show (no token, no key: those never reach an error's message).
 */
export function errorDocument(report: ErrorReport): object {
  const error = { message: report.message, exitCode: report.exitCode, hint: report.hint };
  return { ...(report.result ?? {}), error };
}

/**
 * Whether the command line asks for JSON. Read from argv, not from parsed options, because a usage
 * error (an unknown option, a missing argument) stops commander before any option is parsed.
 * Words after `--` are operands, never flags.
 */
export function jsonRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}
