/**
 * `infusionsoft completion bash|zsh|fish` (issue 19, item 4): the bash script is sourced in a real
 * bash, its function called as bash's completion calls it (COMP_WORDS, COMP_CWORD), and COMPREPLY
 * read back. What it should offer comes from the program and the catalog themselves.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import { catalog, readActions } from '../../src/catalog/index.js';
import { run, startSandboxProcess, tempDir, type SandboxProcess } from './cli.js';
import { exampleEnv } from './examples-runner.js';

let sandbox: SandboxProcess;
let script: string;
const config = tempDir('infusionsoft-completion-config-');
const folder = tempDir('infusionsoft-completion-');

beforeAll(async () => {
  sandbox = await startSandboxProcess();
  // Two stored profiles, as `auth login` stores them.
  for (const profile of ['client-a', 'client-b']) {
    const login = await run(['--profile', profile, 'auth', 'login', '--with-token', '--insecure-storage'], {
      env: { INFUSIONSOFT_CONFIG_DIR: config, INFUSIONSOFT_API_URL: sandbox.apiUrl, DBUS_SESSION_BUS_ADDRESS: undefined },
      input: `${sandbox.token}\n`,
    });
    expect(login.code, login.stderr).toBe(0);
  }
  const printed = await run(['completion', 'bash']);
  expect(printed.code, printed.stderr).toBe(0);
  script = join(folder, 'infusionsoft.bash');
  writeFileSync(script, printed.stdout);
});
afterAll(async () => {
  await sandbox?.stop();
});

/** What bash offers after the words typed so far (the last one is being completed). */
function offered(...words: string[]): string[] {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const result = spawnSync(
    'bash',
    [
      '-c',
      `source "$1"; COMP_WORDS=(infusionsoft ${quoted}); COMP_CWORD=${words.length}; _infusionsoft; printf '%s\\n' "\${COMPREPLY[@]}"`,
      'x',
      script,
    ],
    { env: exampleEnv({ INFUSIONSOFT_CONFIG_DIR: config }), encoding: 'utf8' },
  );
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.split('\n').filter(Boolean).sort();
}

describe('infusionsoft completion bash', () => {
  it('offers the resource names and aliases after `infusionsoft export con`', () => {
    const expected = catalog
      .flatMap((r) => [r.name, ...r.aliases])
      .filter((n) => n.startsWith('con') && !/\s/.test(n))
      .sort();
    expect(expected).toContain('contacts');
    expect(offered('export', 'con')).toEqual([...new Set(expected)].sort());
  });

  it("offers a command's options, the global ones too", () => {
    expect(offered('export', 'contacts', '--inc')).toEqual(['--include']);
    expect(offered('import', 'contacts', 'a.csv', '--dry')).toEqual(['--dry-run']);
    expect(offered('export', 'contacts', '--prof')).toEqual(['--profile']);
    expect(offered('export', 'contacts', '--pro')).toEqual(['--profile', '--proxy']);
  });

  it('offers the stored profile names after --profile, read when TAB is pressed', () => {
    expect(offered('--profile', 'client')).toEqual(['client-a', 'client-b']);
    expect(offered('auth', 'switch', '')).toEqual(['client-a', 'client-b']);
  });

  it("offers the resource's read actions after --action, and the values of --format", () => {
    const contacts = catalog.find((r) => r.name === 'contacts');
    expect(offered('export', 'contacts', '--action', '')).toEqual(
      readActions(contacts!)
        .map((a) => a.id)
        .sort(),
    );
    expect(offered('import', 'contacts', 'a.csv', '--action', '')).toEqual(['create', 'delete', 'update', 'upsert']);
    expect(offered('export', 'contacts', '-f', '')).toEqual(['csv', 'json', 'ndjson']);
  });

  it('offers every command the program has, and the subcommands of auth', async () => {
    const program = await buildProgram();
    const visible = (c: typeof program) => c.commands.filter((s) => !(s as unknown as { _hidden?: boolean })._hidden).map((s) => s.name());
    expect(offered('')).toEqual(visible(program).sort());
    const auth = program.commands.find((c) => c.name() === 'auth');
    expect(offered('auth', '')).toEqual(visible(auth!).sort());
    expect(offered('')).not.toContain('__complete');
  });

  it('refuses a shell it does not know (exit 2)', async () => {
    const result = await run(['completion', 'tcsh']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('use bash, zsh or fish');
  });
});

describe('infusionsoft completion zsh and fish', () => {
  const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

  it.skipIf(!has('zsh'))('the zsh script parses (zsh -n)', async () => {
    const printed = await run(['completion', 'zsh']);
    const file = join(folder, 'infusionsoft.zsh');
    writeFileSync(file, printed.stdout);
    expect(spawnSync('zsh', ['-n', file], { encoding: 'utf8' }).stderr).toBe('');
  });

  it.skipIf(!has('fish'))('the fish script parses (fish -n)', async () => {
    const printed = await run(['completion', 'fish']);
    const file = join(folder, 'infusionsoft.fish');
    writeFileSync(file, printed.stdout);
    expect(spawnSync('fish', ['-n', file], { encoding: 'utf8' }).stderr).toBe('');
  });

  // Without zsh here, bash at least parses the body zsh runs through bashcompinit.
  it('the zsh script is the bash function behind bashcompinit, and parses as such (bash -n)', async () => {
    const printed = await run(['completion', 'zsh']);
    expect(printed.stdout).toContain('autoload -U +X bashcompinit && bashcompinit');
    const file = join(folder, 'zsh-body.sh');
    writeFileSync(file, printed.stdout);
    expect(spawnSync('bash', ['-n', file], { encoding: 'utf8' }).status).toBe(0);
  });

  it('the fish script names every command and the resources', async () => {
    const printed = await run(['completion', 'fish']);
    expect(printed.code).toBe(0);
    for (const name of ['export', 'import', 'auth', 'login', 'contacts', '--action', "'(infusionsoft __complete profiles)'"]) {
      expect(printed.stdout).toContain(name.startsWith('--') ? `-l ${name.slice(2)}` : name);
    }
  });
});
