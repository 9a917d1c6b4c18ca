/**
 * What a command loads: the heavy modules (the HTTP client's undici, ora's spinner, the CSV
 * libraries, the sandbox, the keychain, the database drivers) only when the command needs them, so
 * `--help`, `resources` and an offline `describe` start fast (how a run's modules are seen:
 * loaded-modules.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot, run } from './cli.js';
import { filesLoadedBy, modulesLoadedBy } from './loaded-modules.js';

const HEAVY =
  /^node_modules\/(undici|ora|csv-parse|csv-stringify|@napi-rs\/keyring|better-sqlite3|pg|pg-copy-streams)\/|^src\/sandbox\/|^src\/auth\/keychain-child\.ts$/;

describe('modules a command loads', () => {
  it.each([[['--version']], [['--help']], [['resources']], [['resources', '--json']], [['describe', 'contacts']], [['export', '--help']]])(
    '%j loads no client, spinner, CSV library, sandbox, keychain or database driver',
    async (args) => {
      const loaded = await modulesLoadedBy(args);
      expect(loaded).toContain('src/cli.ts');
      expect(loaded).toContain('node_modules/commander/lib/command.js');
      expect(loaded.filter((path) => HEAVY.test(path))).toEqual([]);
    },
  );

  it.each([[['--version']], [['--help']]])(
    '%j loads no auth/, etl/ or api/ module: the credential lookup, keychain, engines and proxy load when a command runs',
    async (args) => {
      const loaded = await modulesLoadedBy(args);
      expect(loaded.filter((path) => /^src\/(auth|etl|api)\//.test(path))).toEqual([]);
    },
  );

  // A command's module (its options, help and action), the catalog and the code only commands
  // share (context.ts) load when argv names the command: commands/command-table.ts.
  const COMMAND_CODE =
    /^src\/(catalog|direct)\/|^src\/commands\/(auth|resources|export|import|sync|api|sandbox|completion|context|flags|output)[^/]*\.ts$/;

  it.each([[['--version']], [['--help']], [['help']], [['--profile', 'x', '--version']]])(
    '%j loads no command module and no catalog: the program lists the commands from a table',
    async (args) => {
      const loaded = await modulesLoadedBy(args);
      expect(loaded).toContain('src/commands/command-table.ts');
      expect(loaded.filter((path) => COMMAND_CODE.test(path))).toEqual([]);
    },
  );

  it.each([
    [['export', '--help'], 'src/commands/export.ts'],
    [['help', 'import'], 'src/commands/import.ts'],
    [['auth', 'login', '--help'], 'src/commands/auth-login.ts'],
  ])("%j loads that command's module and not the others", async (args, own) => {
    const loaded = await modulesLoadedBy(args);
    expect(loaded).toContain(own);
    const others = ['auth', 'export', 'import', 'sync', 'api', 'sandbox', 'completion']
      .map((name) => `src/commands/${name}.ts`)
      .filter((path) => !own.startsWith(path.replace(/\.ts$/, '')));
    expect(loaded.filter((path) => others.includes(path))).toEqual([]);
  });

  it('a command that needs them loads them: --sandbox describe asks the in-process sandbox through the client', async () => {
    const loaded = await modulesLoadedBy(['--sandbox', 'describe', 'contacts']);
    expect(loaded).toContain('src/sandbox/server.ts');
    expect(loaded.some((path) => path.startsWith('node_modules/undici/'))).toBe(true);
  });

  it("--version prints package.json's version, which the build writes into dist/cli.js", async () => {
    const { version } = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string };
    const result = await run(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
  });

  it('--version reads a handful of files, not one per module (issue 19: start-up is mostly resolving and reading modules)', async () => {
    const files = await filesLoadedBy(['--version']);
    // Unbundled (tsc), this was 67 files; bundled, 13 while the auth code loaded at start; then 7 with
    // every command and the catalog in them (325 KB); now 7 again, the CLI, commander's chunk and a
    // few small chunks it shares with the commands, without any command's code (160 KB).
    expect(files.length, files.join('\n')).toBeLessThanOrEqual(8);
    expect((await modulesLoadedBy(['--version'])).length).toBeGreaterThan(files.length);
  });
});
