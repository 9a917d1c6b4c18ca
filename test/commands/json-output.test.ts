/**
 * `--json` everywhere (issue 19, item 7): each command that produces a result prints one JSON object
 * on stdout, whose top-level fields are the ones docs/json.md lists; under --json an error is one
 * too (`{"error": {message, exitCode, hint}}`), usage errors commander finds included, with the human
 * text still on stderr and the exit code unchanged. In-process against the sandbox.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import { runCli, sandboxGet, sandboxSend, startTestSandbox, testIO, type CliResult, type TestSandbox } from '../support/cli.js';
import { documented, documentedDocuments } from '../support/json-doc.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox?.stop();
});

const tempDir = () => mkdtempSync(join(tmpdir(), 'infusionsoft-json-'));
/** A credential from the environment and an empty config folder: no stored login in the way. */
const env = () => ({ ...sandbox.env, INFUSIONSOFT_CONFIG_DIR: tempDir() });

/** The one JSON object stdout holds (a second document, or anything after it, fails the parse). */
function object(result: CliResult): Record<string, unknown> {
  const value: unknown = JSON.parse(result.stdout);
  expect(value !== null && typeof value === 'object' && !Array.isArray(value), result.stdout).toBe(true);
  return value as Record<string, unknown>;
}

/** Its top-level fields are the documented ones: none undocumented, every `always` one there. */
function matchesDocs(document: Record<string, unknown>, heading: string): void {
  const doc = documented(heading);
  const keys = Object.keys(document).filter((key) => key !== 'error');
  const undocumented = keys.filter((key) => !doc.always.includes(key) && !doc.sometimes.includes(key));
  expect(undocumented, `fields of "${heading}" missing from docs/json.md`).toEqual([]);
  expect(keys, `documented as always there in "${heading}"`).toEqual(expect.arrayContaining(doc.always));
}

/** `{"error": {message, exitCode, hint}}`, as docs/json.md describes it. */
function errorOf(document: Record<string, unknown>): { message: string; exitCode: number; hint: string | null } {
  const error = document.error as { message: string; exitCode: number; hint: string | null };
  expect(Object.keys(error).sort()).toEqual(['exitCode', 'hint', 'message']);
  expect(typeof error.message).toBe('string');
  expect(error.hint === null || typeof error.hint === 'string').toBe(true);
  return error;
}

/** Every command (its words, `auth status`) that declares --json. */
function commandsWithJson(command: Command, prefix: string[] = []): string[] {
  return command.commands.flatMap((sub) => {
    const words = [...prefix, sub.name()];
    const own = sub.options.some((option) => option.long === '--json') ? [words.join(' ')] : [];
    return [...own, ...commandsWithJson(sub, words)];
  });
}

function contactsCsv(rows: string[]): string {
  const file = join(tempDir(), 'people.csv');
  writeFileSync(file, `email_addresses.EMAIL1.email,given_name,owner_id\n${rows.join('\n')}\n`);
  return file;
}

describe('docs/json.md documents every command with --json', () => {
  it('has a section for each, and each section is a command with --json', async () => {
    const withJson = commandsWithJson(await buildProgram(testIO()));
    const sections = documentedDocuments().map((doc) => doc.command);
    expect(withJson.filter((command) => !sections.includes(command))).toEqual([]);
    expect(sections.filter((command) => !withJson.includes(command))).toEqual([]);
    // The commands that print a result today: a --json removed by mistake shows here.
    expect(withJson).toEqual(
      expect.arrayContaining(['resources', 'describe', 'export', 'import', 'api', 'sync', 'auth status', 'auth list', 'auth token']),
    );
  });
});

describe('each document is one object with the documented fields', () => {
  it('resources', async () => {
    const result = await runCli(['resources', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const document = object(result);
    matchesDocs(document, 'infusionsoft resources --json');
    expect((document.resources as Array<{ name: string }>).map((r) => r.name)).toContain('contacts');
  });

  it('describe, with the account asked for custom fields', async () => {
    const result = await runCli(['describe', 'contacts', '--json'], { env: env() });
    expect(result.code, result.stderr).toBe(0);
    const document = object(result);
    matchesDocs(document, 'infusionsoft describe RESOURCE --json');
    expect(document).toHaveProperty('customFields.live');
  });

  it('export, plain and incremental', async () => {
    const dir = tempDir();
    const result = await runCli(['export', 'contacts', '-o', join(dir, 'c.csv.gz'), '--state', join(dir, 's.json'), '--json'], {
      env: env(),
    });
    expect(result.code, result.stderr).toBe(0);
    const document = object(result);
    matchesDocs(document, 'infusionsoft export RESOURCE -o FILE --json');
    expect(document).toMatchObject({ resource: 'contacts', format: 'csv', compression: 'gzip', incremental: 'since' });
  });

  it('export --all', { timeout: 60_000 }, async () => {
    const result = await runCli(['export', '--all', '-o', `${tempDir()}/backup/`, '--json'], { env: env() });
    expect(result.code, result.stderr).toBe(0);
    matchesDocs(object(result), 'infusionsoft export --all -o DIR/ --json');
  });

  it('import, a dry run and a run', async () => {
    const file = contactsCsv(['json-dry@example.org,Dry,']);
    const dry = await runCli(['import', 'contacts', file, '--dry-run', '--json'], { env: env() });
    expect(dry.code, dry.stderr).toBe(0);
    matchesDocs(object(dry), 'infusionsoft import RESOURCE FILE --json');
    expect(object(dry)).toHaveProperty('preview');
    const run = await runCli(['import', 'contacts', file, '--json'], { env: env() });
    expect(run.code, run.stderr).toBe(0);
    matchesDocs(object(run), 'infusionsoft import RESOURCE FILE --json');
    expect(object(run)).toMatchObject({ counts: { created: 1 } });
  });

  it('sync into SQLite', async () => {
    const result = await runCli(['sync', 'tags', '--to', `sqlite:${join(tempDir(), 'keap.db')}`, '--json'], { env: env() });
    expect(result.code, result.stderr).toBe(0);
    const document = object(result);
    matchesDocs(document, 'infusionsoft sync RESOURCE... --to URL --json');
    expect(document).toMatchObject({ resources: [{ resource: 'tags', status: 'synced' }] });
  });

  it('sync --plan, reading the state of a database that is not there yet', async () => {
    const result = await runCli(['sync', 'tags', '--to', `sqlite:${join(tempDir(), 'keap.db')}`, '--plan', '--json'], { env: env() });
    expect(result.code, result.stderr).toBe(0);
    const document = object(result);
    matchesDocs(document, 'infusionsoft sync RESOURCE... --to URL --plan --json');
    expect(document).toMatchObject({ resources: [{ resource: 'tags', read: 'first' }] });
  });

  it('auth status, auth list and auth token', async () => {
    const runEnv = env();
    const status = await runCli(['auth', 'status', '--json'], { env: runEnv });
    expect(status.code, status.stderr).toBe(0);
    matchesDocs(object(status), 'infusionsoft auth status --json');
    const list = await runCli(['auth', 'list', '--json'], { env: runEnv });
    expect(list.code, list.stderr).toBe(0);
    matchesDocs(object(list), 'infusionsoft auth list --json');
    expect(object(list)).toEqual({ profiles: [] });
    const token = await runCli(['auth', 'token', '--json'], { env: runEnv });
    expect(token.code, token.stderr).toBe(0);
    matchesDocs(object(token), 'infusionsoft auth token --json');
    // The token is what the command is for: the one it would send, as without --json.
    expect(object(token)).toEqual({ token: sandbox.token });
  });

  it("api: Keap's document as it is, and {} for a response without a body", async () => {
    const got = await runCli(['api', 'GET', '/contacts?limit=2', '--json'], { env: env() });
    expect(got.code, got.stderr).toBe(0);
    expect(object(got)).toEqual(await sandboxGet(sandbox, '/contacts?limit=2'));
    const { id } = (await sandboxSend(sandbox, 'POST', '/contacts', {
      given_name: 'Json',
      email_addresses: [{ email: 'json-delete@example.org', field: 'EMAIL1' }],
    })) as { id: number };
    const deleted = await runCli(['api', 'DELETE', `/contacts/${id}`, '--json'], { env: env() });
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(object(deleted)).toEqual({});
  });
});

describe('usage errors under --json: an error object on stdout, the text on stderr, exit 2', () => {
  it.each([
    ['an unknown option', ['export', 'contacts', '--bogus', '--json'], /^unknown option '--bogus'/],
    ['a missing argument', ['describe', '--json'], /^missing required argument 'resource'/],
    [
      'a value not among the choices',
      ['export', 'contacts', '--format', 'xml', '--json'],
      /argument 'xml' is invalid\. Allowed choices are csv, json, ndjson/,
    ],
    ['a method not among the choices', ['api', 'FETCH', '/contacts', '--json'], /value 'FETCH' is invalid for argument 'method'/],
    ['a whole number out of range', ['export', 'contacts', '--page-size', '5000', '--json'], /'5000' is invalid/],
    ['an unknown command', ['exprot', 'contacts', '--json'], /^unknown command 'exprot'/],
    ['a command with no --json of its own', ['auth', 'switch', 'work', '--json'], /^unknown option '--json'/],
  ])('%s', async (_what, args, message) => {
    const result = await runCli(args, { env: env() });
    expect(result.code).toBe(2);
    const error = errorOf(object(result));
    expect(error).toEqual({ message: expect.stringMatching(message), exitCode: 2, hint: 'run with --help for usage' });
    expect(result.stderr).toContain(`error: ${error.message}`);
    expect(result.stderr).toContain('(run with --help for usage)');
  });

  it('a usage error the command finds: its own hint', async () => {
    const result = await runCli(['export', 'contacts', '--json'], { env: env() });
    expect(result.code).toBe(2);
    const error = errorOf(object(result));
    expect(error.message).toMatch(/--json prints the result on stdout/);
    expect(error.hint).toBe('write the data to a file with -o FILE, or leave out --json');
    expect(result.stderr).toContain(`error: ${error.message}\n${error.hint}\n`);
  });

  it('without --json, stdout stays empty as before', async () => {
    const result = await runCli(['export', 'contacts', '--bogus'], { env: env() });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/error: unknown option '--bogus'/);
  });

  it('--json after -- is an operand, not the flag', async () => {
    const result = await runCli(['describe', 'nonesuch', '--', '--json'], { env: env() });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });
});

describe('failures under --json', () => {
  it('an API error: exit 1, Keap status and message in the object', async () => {
    const result = await runCli(['api', 'GET', '/contacts/99999999', '--json'], { env: env() });
    expect(result.code).toBe(1);
    const error = errorOf(object(result));
    expect(error).toMatchObject({ exitCode: 1, message: expect.stringMatching(/GET .*\/contacts\/99999999 failed: 404/) });
    expect(result.stderr).toContain(`error: ${error.message}`);
  });

  it('a refused token (sandbox fault): exit 4 with the hint, and no secret in the object', async () => {
    const refusing = await startTestSandbox({ faults: '401-invalid-token:1' });
    try {
      const out = join(tempDir(), 'c.csv');
      const result = await runCli(['export', 'contacts', '-o', out, '--json'], {
        env: { ...refusing.env, INFUSIONSOFT_CONFIG_DIR: tempDir() },
      });
      expect(result.code).toBe(4);
      const error = errorOf(object(result));
      expect(error.exitCode).toBe(4);
      expect(error.hint).toMatch(/INFUSIONSOFT_ACCESS_TOKEN/);
      expect(result.stdout).not.toContain(refusing.token);
      expect(result.stderr).toContain(`error: ${error.message}`);
    } finally {
      await refusing.stop();
    }
  });

  it('auth status --check that fails: the status and the error as one object, exit 4', async () => {
    const refusing = await startTestSandbox({ faults: '401-invalid-token:1' });
    try {
      const result = await runCli(['auth', 'status', '--check', '--json'], {
        env: { ...refusing.env, INFUSIONSOFT_CONFIG_DIR: tempDir() },
      });
      expect(result.code).toBe(4);
      const document = object(result);
      matchesDocs(document, 'infusionsoft auth status --json');
      expect(document.check).toMatchObject({ ok: false });
      expect(errorOf(document).exitCode).toBe(4);
      expect(result.stdout).not.toContain(refusing.token);
    } finally {
      await refusing.stop();
    }
  });

  it('auth token when not logged in: exit 4, an error object and no token', async () => {
    const result = await runCli(['auth', 'token', '--json'], { env: { INFUSIONSOFT_CONFIG_DIR: tempDir() } });
    expect(result.code).toBe(4);
    expect(errorOf(object(result))).toMatchObject({ exitCode: 4, message: expect.stringMatching(/not logged in/) });
  });

  it('export --all with a resource that fails: exit 1, the manifest and the error as one object', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    // A folder where contacts.ndjson would go: that one resource cannot be written.
    mkdirSync(join(dir, 'contacts.ndjson'));
    const result = await runCli(['export', '--all', '-o', dir, '--json'], { env: env() });
    expect(result.code).toBe(1);
    const document = object(result);
    matchesDocs(document, 'infusionsoft export --all -o DIR/ --json');
    const failed = (document.resources as Array<{ resource: string; status: string }>).filter((entry) => entry.status === 'failed');
    expect(failed.map((entry) => entry.resource)).toEqual(['contacts']);
    expect(errorOf(document)).toMatchObject({ exitCode: 1, message: expect.stringMatching(/resources? failed: contacts/) });
    expect(result.stderr).toContain(`error: ${errorOf(document).message}`);
  });

  it('an import with an invalid row: exit 3, the import document and the error as one object', async () => {
    const file = contactsCsv(['json-fine@example.org,Fine,', 'json-bad@example.org,Bad,abc']);
    const result = await runCli(['import', 'contacts', file, '--json'], { env: env() });
    expect(result.code).toBe(3);
    const document = object(result);
    matchesDocs(document, 'infusionsoft import RESOURCE FILE --json');
    expect(document.counts).toMatchObject({ created: 1, invalid: 1 });
    const error = errorOf(document);
    expect(error).toMatchObject({ exitCode: 3, message: expect.stringMatching(/1 invalid: see .*people\.errors\.csv/) });
    expect(error.hint).toMatch(/fix the rows in the error report/);
    expect(result.stderr).toContain(`error: ${error.message}`);
  });
});
