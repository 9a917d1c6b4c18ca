/**
 * What a command loads: the heavy modules (the HTTP client's undici, ora's spinner, the CSV
 * libraries, the sandbox, the keychain, the database drivers) only when the command needs them, so
 * `--help`, `resources` and an offline `describe` start fast. The built binary runs with a
 * preloaded probe (record-modules.mjs) that lists every file the process loaded. dist/ is a bundle
 * (scripts/build.mjs): each of its files holds many modules, which its source map names, so a
 * loaded file counts as every module bundled into it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { projectRoot, run, tempDir } from './cli.js';

const probe = pathToFileURL(join(projectRoot, 'test', 'e2e', 'record-modules.mjs')).href;

/** The files a run loaded (dist/ and node_modules/ ones), as paths under the project. */
async function filesLoadedBy(args: string[], env: Record<string, string> = {}): Promise<string[]> {
  const file = join(tempDir(), 'modules.txt');
  const result = await run(args, { env: { ...env, NODE_OPTIONS: `--import ${probe}`, RECORD_MODULES_TO: file } });
  expect(result.code, result.stderr).toBe(0);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((url) => url.startsWith('file:'))
    .map((url) => relative(projectRoot, fileURLToPath(url)))
    .filter((path) => /^(dist|node_modules)\//.test(path));
}

/** The modules in one loaded file: a dist/ file's source map names them; a node_modules file is itself. */
function modulesIn(path: string): string[] {
  if (!path.startsWith('dist/')) return [path];
  const map = JSON.parse(readFileSync(join(projectRoot, `${path}.map`), 'utf8')) as { sources: string[] };
  return map.sources.map((source) => relative(projectRoot, resolve(projectRoot, dirname(path), source)));
}

/** Every module a run loaded, bundled or not: src/... and node_modules/... paths. */
async function modulesLoadedBy(args: string[], env: Record<string, string> = {}): Promise<string[]> {
  return [...new Set((await filesLoadedBy(args, env)).flatMap(modulesIn))];
}

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

  it('a command that needs them loads them: --sandbox describe asks the in-process sandbox through the client', async () => {
    const loaded = await modulesLoadedBy(['--sandbox', 'describe', 'contacts']);
    expect(loaded).toContain('src/sandbox/server.ts');
    expect(loaded.some((path) => path.startsWith('node_modules/undici/'))).toBe(true);
  });

  it('--version reads a handful of files, not one per module (issue 19: start-up is mostly resolving and reading modules)', async () => {
    const files = await filesLoadedBy(['--version']);
    // Unbundled (tsc), this was 67 files; the bundle is the CLI and the few chunks it shares with lazy commands.
    expect(files.length, files.join('\n')).toBeLessThanOrEqual(16);
    expect((await modulesLoadedBy(['--version'])).length).toBeGreaterThan(files.length);
  });
});
