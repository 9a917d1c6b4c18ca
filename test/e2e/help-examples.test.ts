/**
 * Every command's `--help` examples run as typed (issue 19, item 4): read from the help each
 * registered command prints, so a command added later is covered without being listed here, each
 * run through bash in a temporary folder against a sandbox server (its URL and token in the
 * environment) or the in-process `--sandbox` where the example says so. Auth commands refuse
 * `--sandbox`: they run against the server with profile `sandbox`, logged in there by OAuth.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_EXAMPLES, commandPath, renderExamples } from '../../src/commands/examples.js';
import { authEnv, oauthLogin } from './auth-support.js';
import { projectRoot, startSandboxProcess, tempDir, type SandboxProcess } from './cli.js';
import { ExampleRun, exampleEnv, runShell, type RunnableExample } from './examples-runner.js';

// The shipped program (dist/ is one bundle); the examples it declares are read from their source.
const dist = (file: string) => pathToFileURL(join(projectRoot, 'dist', file)).href;
const { buildProgram } = (await import(dist('cli.js'))) as typeof import('../../src/cli.js');
const program = await buildProgram();

function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s), getOutHasColors: () => false });
  command.configureHelp({ helpWidth: 1000 });
  command.outputHelp();
  return text;
}

/** The `$ ` lines of a help text's Examples, grouped as the data declares them; others one each. */
function examplesOf(command: Command): RunnableExample[] {
  const path = commandPath(command);
  const typed = helpOf(command)
    .split('\n')
    .filter((line) => line.startsWith('  $ '))
    .map((line) => line.slice(4));
  const declared = COMMAND_EXAMPLES[path] ?? [];
  const label = (i: number) => `infusionsoft ${path} --help, example ${i + 1}`.replace('  ', ' ');
  // The help shows exactly what the data declares, in its order.
  const shown = declared.length
    ? renderExamples(declared)
        .split('\n')
        .map((line) => line.slice(4))
    : [];
  expect(typed.slice(0, shown.length)).toEqual(shown);
  const examples: RunnableExample[] = [];
  let at = 0;
  for (const example of declared) {
    const script = shown.slice(at, at + example.lines.length).join('\n');
    at += example.lines.length;
    examples.push({ label: label(examples.length), script, ...(example.exempt ? { exempt: example.exempt } : {}) });
  }
  // Examples a command shows without declaring them as data run too.
  for (const line of typed.slice(at)) examples.push({ label: label(examples.length), script: line });
  // `sync --to postgres://...` needs a PostgreSQL server: exempt wherever it is declared.
  const postgres = { kind: 'postgresql-only', reason: 'needs a PostgreSQL server' } as const;
  return examples.map((e) => (!e.exempt && /postgres(ql)?:\/\//.test(e.script) ? { ...e, exempt: postgres } : e));
}

function commandsOf(program: Command): Command[] {
  const hidden = (c: Command) => (c as unknown as { _hidden?: boolean })._hidden === true;
  const all: Command[] = [program];
  const visit = (c: Command) => {
    for (const sub of c.commands) {
      if (hidden(sub) || sub.name() === 'help') continue;
      all.push(sub);
      visit(sub);
    }
  };
  visit(program);
  return all;
}

let sandbox: SandboxProcess;
let other: SandboxProcess;
beforeAll(async () => {
  [sandbox, other] = await Promise.all([startSandboxProcess(), startSandboxProcess()]);
});
afterAll(async () => {
  await Promise.all([sandbox?.stop(), other?.stop()]);
});

describe('every command --help example runs as typed against the sandbox', () => {
  const commands = commandsOf(program);

  it('every command that runs something shows at least one example', () => {
    const leaves = commands.filter((c) => c.commands.filter((s) => s.name() !== 'help').length === 0);
    const without = leaves.filter((c) => examplesOf(c).length === 0).map(commandPath);
    expect(without).toEqual([]);
  });

  it('runs each example (auth ones against a server with profile sandbox), each command in a folder of its own', async () => {
    const run = new ExampleRun();
    const groups = commands.map((c) => ({ path: commandPath(c), examples: examplesOf(c) })).filter((g) => g.examples.length);
    const data = groups.filter((g) => !g.path.startsWith('auth'));
    const auth = groups.filter((g) => g.path.startsWith('auth'));

    // Auth: `auth login` stores a key in an empty config folder; the others share one OAuth login.
    const loginHome = tempDir('infusionsoft-auth-login-');
    const oauthConfig = tempDir('infusionsoft-auth-oauth-');
    const login = await oauthLogin(authEnv(sandbox, oauthConfig), ['--profile', 'sandbox']);
    expect(login.code, login.stderr).toBe(0);
    const authRuns = async () => {
      for (const group of auth) {
        const isLogin = group.path === 'auth login';
        const cwd = isLogin ? loginHome : tempDir('infusionsoft-auth-ex-');
        const env = exampleEnv({
          ...authEnv(sandbox, isLogin ? tempDir('infusionsoft-auth-key-') : oauthConfig),
          ...(isLogin ? {} : { INFUSIONSOFT_PROFILE: 'sandbox' }),
        });
        if (isLogin) await runShell(`printf '%s\\n' '${sandbox.token}' > key.txt`, { cwd, env });
        await run.group(group.examples, env, cwd);
      }
    };
    const dataRuns = async (server: SandboxProcess, lane: typeof data) => {
      for (const group of lane) {
        const env = exampleEnv({ ...server.env, INFUSIONSOFT_CONFIG_DIR: tempDir('infusionsoft-ex-config-') });
        await run.group(group.examples, env, tempDir('infusionsoft-ex-'));
      }
    };
    // Two lanes, each on a server of its own (one command's edits never land between another's
    // export and import): the auth chain (login, status, ..., logout, in order) and half of the
    // other commands; the other half.
    const [first, second] = [0, 1].map((lane) => data.filter((_, i) => i % 2 === lane));
    await Promise.all([
      (async () => {
        await authRuns();
        await dataRuns(sandbox, second ?? []);
      })(),
      dataRuns(other, first ?? []),
    ]);
    console.log(run.slowest());
    expect(run.failures.join('\n\n')).toBe('');
    expect(run.ran).toBeGreaterThan(20);
  }, 240_000);
});
