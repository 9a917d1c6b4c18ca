/**
 * The commander program: global options, the commands, and the one place where an error becomes
 * a message and an exit code (DESIGN.md section 2).
 */
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { CliError, ExitCode } from './errors.js';
import { hintFor } from './hints.js';
import { registerResourceCommands } from './commands/resources.js';
import { registerApiCommand } from './commands/api.js';
import { registerSandboxCommand } from './commands/sandbox.js';
import { registerExportCommand } from './commands/export.js';
import { registerAuthCommand } from './commands/auth.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export function buildProgram(): Command {
  const program = new Command('infusionsoft')
    .description('Export and import Keap (Infusionsoft) CRM data as CSV, JSON or NDJSON.')
    .version(version)
    .option('--profile <name>', 'which stored login to use (env INFUSIONSOFT_PROFILE; default "default")')
    .option('--api-url <url>', 'REST v1 base URL (env INFUSIONSOFT_API_URL)')
    .option('--sandbox', 'run against the embedded sandbox API (no Keap account needed)')
    .option('--verbose', 'show each request and stack traces')
    .option('--quiet', 'print only warnings and errors on stderr')
    .option('--no-progress', 'never draw a progress line')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      `
Credentials: INFUSIONSOFT_ACCESS_TOKEN (OAuth, Bearer), else INFUSIONSOFT_API_KEY (Personal Access
Token or Service Account Key), else the profile stored by \`infusionsoft auth login\`.

Examples:
  $ infusionsoft auth login
  $ infusionsoft --sandbox export contacts --format csv -o contacts.csv
  $ infusionsoft resources
  $ infusionsoft describe contacts
  $ infusionsoft api GET /contacts --paginate

Exit codes: 0 ok, 1 failure, 2 usage or input error, 3 some rows failed, 4 authentication.`,
    );
  registerAuthCommand(program);
  registerResourceCommands(program);
  registerExportCommand(program);
  registerApiCommand(program);
  registerSandboxCommand(program);
  // Subcommands of subcommands (auth login) too: commander would otherwise exit the process itself.
  const overrideAll = (command: Command): void => {
    for (const sub of command.commands) {
      sub.exitOverride();
      overrideAll(sub);
    }
  };
  overrideAll(program);
  return program;
}

/** Runs the CLI and resolves to the process exit code; never throws. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const verbose = argv.includes('--verbose');
  // Write errors on stdout (a full disk behind `> file`) reach the writers' promises; this only
  // keeps a late one from crashing the process with a stack, and makes sure the run fails.
  let stdoutFailed = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || stdoutFailed) return;
    stdoutFailed = true;
    process.stderr.write(`error: cannot write to stdout: ${error.message}\n`);
    process.exitCode = ExitCode.failure;
  });
  // stderr gone (the SSH session that was the terminal closed, hence a SIGHUP): nowhere is left to
  // report to, and an unhandled error here would replace the interrupt's exit status with a crash.
  process.stderr.on('error', () => undefined);
  try {
    await program.parseAsync(argv);
    return stdoutFailed ? ExitCode.failure : ExitCode.ok;
  } catch (error) {
    if (stdoutFailed) return ExitCode.failure;
    return reportError(error, verbose);
  }
}

function reportError(error: unknown, verbose: boolean): number {
  // The reader of our stdout went away (`| head`): it has what it wanted; stop quietly, as cat does.
  if ((error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE') return ExitCode.ok;
  if (error instanceof CommanderError) {
    // Help and version are "errors" only to commander; its own message was already printed.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) {
      return ExitCode.ok;
    }
    return ExitCode.usage;
  }
  if (error instanceof CliError) {
    process.stderr.write(`error: ${error.message}\n`);
    const hint = hintFor(error);
    if (hint) process.stderr.write(`${hint}\n`);
    if (verbose && error.stack) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('(run again with --verbose for details)\n');
  return ExitCode.failure;
}
