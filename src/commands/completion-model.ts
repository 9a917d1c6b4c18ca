/**
 * What shell completion offers, read from the commander program and the catalog when
 * `infusionsoft completion SHELL` runs: a command, option or resource added later is offered
 * without anyone editing the scripts.
 */
import type { Command, Option } from 'commander';
import { catalog, readActions, writeActions } from '../catalog/index.js';
import { commandPath } from './examples.js';

export interface CompletionOption {
  /** `--format`, `-f`: every spelling. */
  names: string[];
  takesValue: boolean;
  /** Values offered after it (commander's `.choices()`, or ones known here), else none: a file name. */
  values?: string[];
}

export interface CompletionCommand {
  /** Below `infusionsoft`: '' for the program, 'auth login'. */
  path: string;
  subcommands: string[];
  /** Its own options, the program's global ones included. */
  options: CompletionOption[];
  /** What its first argument is, when completion can offer it. */
  firstArgument?: 'resource' | 'profile';
}

export interface CompletionResource {
  /** The name and the aliases a shell word can hold (no spaces). */
  names: string[];
  readActions: string[];
  writeActions: string[];
}

export interface CompletionModel {
  commands: CompletionCommand[];
  resources: CompletionResource[];
  /** Options whose value is a profile name. */
  profileOptions: string[];
  /** Commands whose `--action` takes a write action (create, update, ...) rather than a read action id. */
  writeActionCommands: string[];
}

/** Values known for an option whose declaration has no `.choices()`. */
const KNOWN_VALUES: Record<string, string[]> = { '--format': ['csv', 'json', 'ndjson'] };

const isHidden = (command: Command): boolean => (command as unknown as { _hidden?: boolean })._hidden === true;

function optionOf(option: Option): CompletionOption {
  const names = [option.long, option.short].filter((n): n is string => Boolean(n));
  const takesValue = option.required || option.optional;
  const values = option.argChoices ?? (option.long ? KNOWN_VALUES[option.long] : undefined);
  return { names, takesValue, ...(takesValue && values ? { values } : {}) };
}

function firstArgumentOf(command: Command): CompletionCommand['firstArgument'] {
  const argument = command.registeredArguments[0];
  if (!argument) return undefined;
  if (argument.name() === 'resource') return 'resource';
  if (/\bprofile\b/.test(argument.description)) return 'profile';
  return undefined;
}

export function completionModel(program: Command): CompletionModel {
  const globals = program.options.filter((o) => !o.hidden).map(optionOf);
  const help: CompletionOption = { names: ['--help', '-h'], takesValue: false };
  const commands: CompletionCommand[] = [];
  const visit = (command: Command): void => {
    const visible = command.commands.filter((sub) => !isHidden(sub));
    const own = command === program ? [] : command.options.filter((o) => !o.hidden).map(optionOf);
    const entry: CompletionCommand = {
      path: commandPath(command),
      subcommands: visible.map((sub) => sub.name()),
      options: [...own, ...globals, help],
    };
    const first = firstArgumentOf(command);
    if (first) entry.firstArgument = first;
    commands.push(entry);
    for (const sub of visible) visit(sub);
  };
  visit(program);
  const resources = catalog.map((resource) => ({
    names: [...new Set([resource.name, ...resource.aliases])].filter((name) => !/\s/.test(name)),
    readActions: readActions(resource).map((a) => a.id),
    writeActions: [...new Set(writeActions(resource).map((a) => a.kind as string))],
  }));
  const profileOptions = globals.filter((o) => o.names.includes('--profile')).flatMap((o) => o.names);
  return { commands, resources, profileOptions, writeActionCommands: ['import'] };
}
