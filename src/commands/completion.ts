/**
 * `completion bash|zsh|fish`: a script written from the program as it is when the command runs, so
 * it offers every command, option, resource and action the installed version has. The hidden
 * `__complete profiles` lists the stored profiles when TAB is pressed after `--profile`.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { IO } from '../io.js';
import { defineCommands } from './command-table.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;

export function defineCompletionCommand(command: Command, io: IO): void {
  command
    .description('print a shell completion script for bash, zsh or fish')
    .argument('<shell>', 'bash, zsh or fish')
    .action(async (shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell)) {
        throw new UsageError(`completion: "${shell}" is not a shell this can complete`, { hint: 'use bash, zsh or fish' });
      }
      // Loaded only here: no other command pays for them at start-up.
      const [{ completionModel }, scripts] = await Promise.all([import('./completion-model.js'), import('./completion-scripts.js')]);
      const write = { bash: scripts.bashScript, zsh: scripts.zshScript, fish: scripts.fishScript }[shell as (typeof SHELLS)[number]];
      // The script offers every command's options: the ones this run left as stubs are defined first.
      const program = command.parent ?? command;
      await defineCommands(program, io);
      io.stdout.write(write(completionModel(program)));
    });
}

/** Hidden: what the scripts run for the words only known at TAB time (profile names). */
export function defineCompleteCommand(command: Command, io: IO): void {
  command.argument('<what>', 'profiles').action(async (what: string) => {
    if (what !== 'profiles') return;
    // A TAB must never print an error into the command line being typed: no profiles, no words.
    try {
      const { authPaths, readProfiles, resolveConfigDir } = await import('../auth/profiles.js');
      const names = Object.keys(await readProfiles(authPaths(resolveConfigDir(io.env))));
      if (names.length) io.stdout.write(`${names.join('\n')}\n`);
    } catch {
      // nothing to offer
    }
  });
}
