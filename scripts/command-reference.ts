/**
 * docs/commands.md, generated from the commands' own --help (`npm run docs`), so the reference
 * and the CLI cannot drift apart; a test fails when the file is stale.
 *
 * The program is passed in: the test renders src/'s, and the script the built dist/cli.js, whose
 * package.json lookup only works from dist/.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { repoRoot } from './repo-root.js';

function helpOf(command: Command): string {
  let text = '';
  // A fixed width and no colours: the file must not depend on the terminal it was made in.
  command.configureHelp({ helpWidth: 100 });
  command.configureOutput({
    writeOut: (s) => (text += s),
    writeErr: (s) => (text += s),
    getOutHasColors: () => false,
    getErrHasColors: () => false,
  });
  command.outputHelp();
  return text.trimEnd();
}

export function renderCommandReference(program: Command): string {
  let out = '# Command reference\n\n';
  out += "Generated from each command's `--help` by `npm run docs`; do not edit by hand.\n\n";
  out += `## infusionsoft\n\n\`\`\`text\n${helpOf(program)}\n\`\`\`\n`;
  // Groups (auth) are followed by each of their subcommands (auth login, auth status, ...).
  const walk = (parent: Command, prefix: string): void => {
    for (const command of parent.commands) {
      if (command.name() === 'help') continue;
      const name = `${prefix} ${command.name()}`;
      out += `\n## ${name}\n\n\`\`\`text\n${helpOf(command)}\n\`\`\`\n`;
      walk(command, name);
    }
  };
  walk(program, 'infusionsoft');
  return out;
}

export function commandReferencePath(): string {
  return join(repoRoot(), 'docs', 'commands.md');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const cli = pathToFileURL(join(repoRoot(), 'dist', 'cli.js')).href;
  const { buildProgram } = (await import(cli)) as typeof import('../src/cli.js');
  writeFileSync(commandReferencePath(), renderCommandReference(await buildProgram()));
  process.stderr.write(`wrote ${commandReferencePath()}\n`);
}
