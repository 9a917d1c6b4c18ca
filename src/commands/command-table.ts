/**
 * The top-level commands as a table, so that a run loads the module of the command it runs and no
 * other (issue 19, start-up): `--version` and `--help` load none, `export ...` only export's.
 *
 * Each command starts as a stub that holds what the program's own --help lists for it (its term and
 * description, below). Its module defines the rest (arguments, options, subcommands, action) on that
 * same Command object, before commander parses, when a word of argv is its name, and for every
 * command when the whole tree is read (shell completion, docs/commands.md, tests). A word is enough:
 * commander dispatches (`export ...`) or shows help (`help export`) only for a command named by one,
 * and a value that happens to be a command's name (`--profile sync`) only loads one module more.
 * test/commands/command-table.test.ts checks that the stubs list the commands as their modules do.
 */
import { Command, Help } from 'commander';
import type { IO } from '../io.js';
import { addExampleHelp } from './examples.js';

/** Adds a command's description, arguments, options, subcommands and action to its stub. */
export type DefineCommand = (command: Command, io: IO) => void;

export interface CommandEntry {
  name: string;
  /** What the program's --help lists for it: commander's `Help.subcommandTerm` of the defined command. */
  term: string;
  /** Its description, as its module sets it (the program's --help lists it). */
  description: string;
  hidden?: boolean;
  /** Loads the command's module. */
  load(): Promise<DefineCommand>;
}

/** In the order the program's --help lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'auth',
    term: 'auth',
    description: 'log in to Keap and manage stored logins (profiles)',
    load: async () => (await import('./auth.js')).defineAuthCommand,
  },
  {
    name: 'resources',
    term: 'resources [options]',
    description: 'list every resource with its actions (HTTP method and path)',
    load: async () => (await import('./resources.js')).defineResourcesCommand,
  },
  {
    name: 'describe',
    term: 'describe [options] <resource>',
    description: "show a resource's fields, keys, read-only flags, write bodies, gathered and custom fields",
    load: async () => (await import('./resources.js')).defineDescribeCommand,
  },
  {
    name: 'export',
    term: 'export [options] [resource]',
    description: 'export every record of a resource to CSV, JSON or NDJSON',
    load: async () => (await import('./export.js')).defineExportCommand,
  },
  {
    name: 'import',
    term: 'import [options] <resource> <file>',
    description: 'import a CSV, JSON or NDJSON file as creates, updates, upserts or deletes, with an error report',
    load: async () => (await import('./import.js')).defineImportCommand,
  },
  {
    name: 'sync',
    term: 'sync [options] [resources...]',
    description: 'keep SQLite or PostgreSQL tables current with Keap (one table per resource, deletes included)',
    load: async () => (await import('./sync.js')).defineSyncCommand,
  },
  {
    name: 'api',
    term: 'api [options] <method> <path>',
    description: 'make a raw REST v1 request and print the JSON response',
    load: async () => (await import('./api.js')).defineApiCommand,
  },
  {
    name: 'sandbox',
    term: 'sandbox [options]',
    description: 'run a local Keap-compatible REST v1 API with demo data (no account needed)',
    load: async () => (await import('./sandbox.js')).defineSandboxCommand,
  },
  {
    name: 'completion',
    term: 'completion <shell>',
    description: 'print a shell completion script for bash, zsh or fish',
    load: async () => (await import('./completion.js')).defineCompletionCommand,
  },
  {
    name: '__complete',
    term: '__complete <what>',
    description: '',
    hidden: true,
    load: async () => (await import('./completion.js')).defineCompleteCommand,
  },
];

/** The stubs whose module has not defined them yet. */
const stubs = new WeakMap<Command, CommandEntry>();

/** Help that lists a stub by its table term: commander would read it from the arguments and options not yet added. */
class StubAwareHelp extends Help {
  override subcommandTerm(command: Command): string {
    return stubs.get(command)?.term ?? super.subcommandTerm(command);
  }
}

/** The program: a Command whose help lists the stubs as their modules will define them. */
export class Program extends Command {
  override createHelp(): Help {
    return Object.assign(new StubAwareHelp(), this.configureHelp());
  }
}

/** A stub for every command of the table. */
export function addCommandStubs(program: Command): void {
  for (const entry of COMMANDS) {
    const stub = program.command(entry.name, { hidden: entry.hidden === true }).description(entry.description);
    stubs.set(stub, entry);
  }
}

/**
 * Loads the modules of the stubs named by a word of `words` (of every stub when `words` is left out)
 * and defines them, with the examples of their --help (commands/examples.ts).
 */
export async function defineCommands(program: Command, io: IO, words?: readonly string[]): Promise<void> {
  const named = (command: Command) => words === undefined || words.includes(command.name());
  const wanted = program.commands.filter((command) => stubs.has(command) && named(command));
  const defines = await Promise.all(wanted.map((command) => stubs.get(command)?.load()));
  wanted.forEach((command, index) => {
    // Defined once, even when two runs of this overlap (completion reads the tree inside a run).
    if (!stubs.delete(command)) return;
    defines[index]?.(command, io);
    addExampleHelp(command);
    overrideExits(command);
  });
}

/** Subcommands of subcommands (auth login) too: commander would otherwise exit the process itself. */
export function overrideExits(command: Command): void {
  for (const sub of command.commands) {
    sub.exitOverride();
    overrideExits(sub);
  }
}
