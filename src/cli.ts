/**
 * The commander program: global options, the commands, and the one place where an error becomes
 * a message and an exit code (DESIGN.md section 2).
 */
import { type Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { ExitCode } from './errors.js';
import { errorDocument, errorReport, jsonRequested } from './error-report.js';
import { addCommandStubs, defineCommands, overrideExits, Program } from './commands/command-table.js';
import { addOwnExampleHelp } from './commands/examples.js';
import { processIO, type IO } from './io.js';
import { createLineWriter, forcedColors, LOG_FORMATS, logFormatIn, type LineWriter } from './log-lines.js';

/**
 * The version, written into dist/cli.js by the build (scripts/build.mjs `define`): a require() of
 * package.json cost a CommonJS resolution at every start. Run from src/ (tests), it is read.
 */
declare const BUILT_VERSION: string | undefined;
const version =
  typeof BUILT_VERSION === 'string'
    ? BUILT_VERSION
    : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** api/proxy.ts, loaded by the first command that runs: `--help` and `--version` never need it. */
let proxy: typeof import('./api/proxy.js') | undefined;

/**
 * The program, writing its help and commander's own errors to `io`'s streams. Every command is
 * defined, unless `words` is given (a run's arguments): then only the commands it names, the others
 * staying stubs that --help lists (commands/command-table.ts), so a run loads one command's code.
 */
export async function buildProgram(io: IO = processIO(), words?: readonly string[]): Promise<Command> {
  const program = new Program('infusionsoft')
    // Before the commands are added: each copies its parent's output settings when created.
    .configureOutput(commanderOutput(io))
    .description('Export and import Keap (Infusionsoft) CRM data as CSV, JSON or NDJSON.')
    .version(version)
    .option(
      '--profile <name>',
      'which stored login to use; wins over credentials in the environment (env INFUSIONSOFT_PROFILE; default: auth switch, else "default")',
    )
    .option('--api-url <url>', 'REST v1 base URL (env INFUSIONSOFT_API_URL)')
    .option('--sandbox', 'run against the embedded sandbox API (no Keap account needed)')
    .option('--verbose', 'show each request and stack traces')
    .option('--quiet', 'print only warnings and errors on stderr')
    .option('--no-progress', 'never draw a progress line')
    .addOption(
      new Option(
        '--log-format <format>',
        'stderr lines as text (with a UTC timestamp when stderr is not a terminal) or one JSON object per line',
      ).choices(LOG_FORMATS),
    )
    .option(
      '--proxy <url>',
      'send every request through this forwarding proxy (default: HTTPS_PROXY, HTTP_PROXY; NO_PROXY applies); credentials only in HTTPS_PROXY',
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      `
Credentials: the profile named by --profile or INFUSIONSOFT_PROFILE, else INFUSIONSOFT_ACCESS_TOKEN
(OAuth, Bearer), else INFUSIONSOFT_API_KEY (Personal Access Token or Service Account Key), else the
default profile (\`infusionsoft auth switch\`, else "default"). A stored login is sent only to its own API.

Exit codes: 0 ok, 1 failure, 2 usage or input error, 3 some rows failed, 4 authentication,
130 interrupted (Ctrl-C; 143 on SIGTERM, 129 on SIGHUP), 141 the reader of a pipe closed it before the
output was complete.`,
    );
  // Every request of the run goes through the proxy settled here, before the command runs.
  program.hook('preAction', async (_program, action) => {
    proxy ??= await import('./api/proxy.js');
    proxy.useProxySettings(proxy.resolveProxySettings(action.optsWithGlobals<{ proxy?: string }>().proxy, io.env));
  });
  addCommandStubs(program);
  overrideExits(program);
  addOwnExampleHelp(program);
  await defineCommands(program, io, words);
  return program;
}

/**
 * Where commander writes help and usage errors, and how wide and colourful they may be: its own
 * defaults, read from `io` instead of `process`.
 */
function commanderOutput(io: IO) {
  const env = io.env;
  const forced = () => forcedColors(env);
  type Terminal = IO['stdout'] & { hasColors?: () => boolean };
  const colors = (stream: Terminal) => forced() ?? (stream.isTTY === true && stream.hasColors?.() === true);
  return {
    writeOut: (text: string) => void io.stdout.write(text),
    writeErr: (text: string) => void io.stderr.write(text),
    // Off a terminal, commander's own default width.
    getOutHelpWidth: () => (io.stdout.isTTY ? io.stdout.columns : undefined) ?? 80,
    getErrHelpWidth: () => (io.stderr.isTTY ? io.stderr.columns : undefined) ?? 80,
    getOutHasColors: () => colors(io.stdout),
    getErrHasColors: () => colors(io.stderr),
  };
}

/**
 * Runs the CLI and resolves to the process exit code; never throws. `io` is the process's own
 * streams, environment and clock for a real run, and string-capturing ones in tests.
 */
export async function main(argv: string[], io: IO = processIO()): Promise<number> {
  const verbose = argv.includes('--verbose');
  // No proxy from an earlier in-process run: the preAction hook settles this run's.
  proxy?.useProxySettings(proxy.DIRECT);
  const line = createLineWriter({ stream: io.stderr, format: logFormatIn(argv), now: io.now });
  // Write errors on stdout (a full disk behind `> file`) reach the writers' promises; this only
  // keeps a late one from crashing the process with a stack, and makes sure the run fails.
  let stdoutFailed = false;
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || stdoutFailed) return;
    stdoutFailed = true;
    line('error', `cannot write to stdout: ${error.message}`, { styled: `error: cannot write to stdout: ${error.message}` });
    process.exitCode = ExitCode.failure;
  };
  // stderr gone (the SSH session that was the terminal closed, hence a SIGHUP): nowhere is left to
  // report to, and an unhandled error here would replace the interrupt's exit status with a crash.
  const onStderrError = () => undefined;
  io.stdout.on('error', onStdoutError);
  io.stderr.on('error', onStderrError);
  try {
    // Only the commands argv names load (commands/command-table.ts): start-up is mostly loading code.
    const program = await buildProgram(io, argv.slice(2));
    await program.parseAsync(argv);
    return stdoutFailed ? ExitCode.failure : ExitCode.ok;
  } catch (error) {
    if (stdoutFailed) return ExitCode.failure;
    return reportError(error, verbose, line, io, jsonRequested(argv));
  } finally {
    proxy?.useProxySettings(proxy.DIRECT);
    // A late write error after main returned still needs a listener in a real run (the process
    // is about to exit anyway); in-process runs share streams, so nothing may pile up on them.
    if (io.stdout !== process.stdout) io.stdout.off('error', onStdoutError);
    if (io.stderr !== process.stderr) io.stderr.off('error', onStderrError);
  }
}

/**
 * The error on stderr for the person (as text, or one JSON line with --log-format json), and with
 * --json also as one object on stdout for a script (docs/json.md); the exit code either way.
 */
function reportError(error: unknown, verbose: boolean, line: LineWriter, io: IO, json: boolean): number {
  const write = (message: string, fields: Record<string, unknown>, styled: string) => line('error', message, { styled, fields });
  // The reader of our output went away (`| head`, a consumer that died) before it was complete:
  // one line, and 141 as a shell reports a command killed by SIGPIPE, so a pipeline under
  // `set -o pipefail` (or cron's mail) sees that the data stopped short. No JSON: stdout is gone.
  if ((error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE') {
    const message = 'the output was closed by its reader before it was complete';
    write(message, { exitCode: ExitCode.brokenPipe }, `error: ${message}`);
    return ExitCode.brokenPipe;
  }
  const report = errorReport(error, verbose);
  if (report.exitCode === ExitCode.ok) return ExitCode.ok;
  if (!report.printedByCommander) {
    const stack = verbose && error instanceof Error && error.stack ? error.stack : undefined;
    const { message, exitCode, hint } = report;
    const text = [`error: ${message}`, ...(hint ? [hint] : []), ...(stack ? [stack] : [])].join('\n');
    write(message, { exitCode, ...(hint ? { hint } : {}), ...(stack ? { stack } : {}) }, text);
  }
  if (json) io.stdout.write(`${JSON.stringify(errorDocument(report), null, 2)}\n`);
  return report.exitCode;
}
