/**
 * The database drivers are optional dependencies (issue 18, item 1): loaded only when `--to` asks
 * for one, so every other command starts and works without them, and a sync whose driver is
 * missing says which package to install, with exit 2. The built binary, with a preloaded probe
 * that lists the modules it loaded, or one that hides packages as an install without them would.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, run, type SandboxProcess, startSandboxProcess, tempDir } from './cli.js';

const recorder = pathToFileURL(join(projectRoot, 'test', 'e2e', 'record-modules.mjs')).href;
const hider = pathToFileURL(join(projectRoot, 'test', 'e2e', 'hide-packages.mjs')).href;
const DRIVERS = /^node_modules\/(better-sqlite3|pg|pg-copy-streams|pg-[a-z-]+|bindings)\//;

let sandbox: SandboxProcess;
beforeAll(async () => {
  sandbox = await startSandboxProcess(['--contacts', '5']);
});
afterAll(async () => {
  await sandbox?.stop();
});

async function modulesLoadedBy(args: string[], env: Record<string, string> = {}): Promise<string[]> {
  const file = join(tempDir(), 'modules.txt');
  const result = await run(args, { env: { ...sandbox.env, ...env, NODE_OPTIONS: `--import ${recorder}`, RECORD_MODULES_TO: file } });
  expect(result.code, result.stderr).toBe(0);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((url) => url.startsWith('file:'))
    .map((url) => url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '$1/'));
}

describe('database drivers', () => {
  it.each([[['--help']], [['sync', '--help']], [['resources']], [['export', 'notes', '-o', '-']]])('%j loads none', async (args) => {
    const loaded = await modulesLoadedBy(args);
    expect(loaded).toContain('dist/cli.js');
    expect(loaded.filter((path) => DRIVERS.test(path) || path.startsWith('dist/etl/sync/'))).toEqual([]);
  });

  it('--to sqlite: loads better-sqlite3 and not pg', async () => {
    const loaded = await modulesLoadedBy(['sync', 'notes', '--to', `sqlite:${join(tempDir(), 'k.db')}`]);
    expect(loaded.some((path) => path.startsWith('node_modules/better-sqlite3/'))).toBe(true);
    expect(loaded.some((path) => path.startsWith('node_modules/pg/'))).toBe(false);
  });

  it('a missing driver is exit 2 naming the package to install, and other commands still work', async () => {
    const env = { ...sandbox.env, NODE_OPTIONS: `--import ${hider}`, HIDE_PACKAGES: 'better-sqlite3,pg' };
    const sqlite = await run(['sync', 'notes', '--to', `sqlite:${join(tempDir(), 'k.db')}`], { env });
    expect(sqlite.code).toBe(2);
    expect(sqlite.stderr).toContain('--to sqlite: needs the better-sqlite3 package, which could not be loaded');
    expect(sqlite.stderr).toContain('npm install better-sqlite3');
    const postgres = await run(['sync', 'notes', '--to', 'postgres://nobody@127.0.0.1:1/none'], { env });
    expect(postgres.code).toBe(2);
    expect(postgres.stderr).toContain('npm install pg');
    const exported = await run(['export', 'notes', '-o', '-'], { env });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.trim().split('\n').length).toBeGreaterThan(0);
  });
});
