/**
 * The program's --help lists the commands from a table (src/commands/command-table.ts) before their
 * modules load: what it lists must be what the defined commands say, and a command named on the
 * command line must be the whole command.
 */
import { Help, type Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import { COMMANDS } from '../../src/commands/command-table.js';
import { runCli, testIO } from '../support/cli.js';

function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s), getOutHasColors: () => false });
  command.configureHelp({ helpWidth: 100 });
  command.outputHelp();
  return text;
}

describe('the command table', () => {
  it('lists each command as its module defines it: name, term, description, hidden, in the same order', async () => {
    const program = await buildProgram(testIO());
    const defined = program.commands.map((command) => ({
      name: command.name(),
      term: new Help().subcommandTerm(command),
      description: command.description(),
      hidden: (command as unknown as { _hidden: boolean })._hidden,
    }));
    const listed = COMMANDS.map(({ name, term, description, hidden }) => ({ name, term, description, hidden: hidden === true }));
    expect(listed).toEqual(defined);
  });

  it("the program's --help is the same whether the commands are stubs or defined", async () => {
    const stubs = await buildProgram(testIO(), []);
    const full = await buildProgram(testIO());
    expect(helpOf(stubs)).toBe(helpOf(full));
    expect(helpOf(stubs)).toContain('import [options] <resource> <file>');
  });

  it('defines only the commands named by a word of argv', async () => {
    const program = await buildProgram(testIO(), ['--profile', 'x', 'export', 'contacts']);
    const withOptions = program.commands.filter((command) => command.options.length > 0).map((command) => command.name());
    expect(withOptions).toEqual(['export']);
  });

  it('`help export`, `export --help` and the docs show the defined command', async () => {
    const full = await buildProgram(testIO());
    const exportHelp = helpOf(full.commands.find((command) => command.name() === 'export') as Command);
    for (const args of [
      ['help', 'export'],
      ['export', '--help'],
    ]) {
      const result = await runCli(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('--format <format>');
      expect(result.stdout).toContain('Examples:\n  $ infusionsoft export contacts --format csv -o contacts.csv');
    }
    expect(exportHelp).toContain('Examples:\n  $ infusionsoft export contacts --format csv -o contacts.csv');
  });
});
