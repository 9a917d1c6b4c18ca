/**
 * What a command loads: the heavy modules (the HTTP client's undici, ora's spinner, the CSV
 * libraries, the sandbox, the keychain) only when the command needs them, so `--help`,
 * `resources` and an offline `describe` start fast. The built binary runs with a preloaded probe
 * (record-modules.mjs) that lists every module the process loaded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { projectRoot, run, tempDir } from './cli.js';

const probe = pathToFileURL(join(projectRoot, 'test', 'e2e', 'record-modules.mjs')).href;

/** Runs the binary with the probe; resolves with the modules it loaded, as paths under the project. */
async function modulesLoadedBy(args: string[], env: Record<string, string> = {}): Promise<string[]> {
  const file = join(tempDir(), 'modules.txt');
  const result = await run(args, { env: { ...env, NODE_OPTIONS: `--import ${probe}`, RECORD_MODULES_TO: file } });
  expect(result.code, result.stderr).toBe(0);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((url) => url.startsWith('file:'))
    .map((url) => url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '$1/'));
}

const HEAVY = /^node_modules\/(undici|ora|csv-parse|csv-stringify|@napi-rs\/keyring)\/|^dist\/sandbox\//;

describe('modules a command loads', () => {
  it.each([[['--help']], [['resources']], [['resources', '--json']], [['describe', 'contacts']], [['export', '--help']]])(
    '%j loads no client, spinner, CSV library, sandbox or keychain',
    async (args) => {
      const loaded = await modulesLoadedBy(args);
      expect(loaded).toContain('dist/cli.js');
      expect(loaded.filter((path) => HEAVY.test(path))).toEqual([]);
    },
  );

  it('a command that needs them loads them: --sandbox describe asks the in-process sandbox through the client', async () => {
    const loaded = await modulesLoadedBy(['--sandbox', 'describe', 'contacts']);
    expect(loaded).toContain('dist/sandbox/server.js');
    expect(loaded.some((path) => path.startsWith('node_modules/undici/'))).toBe(true);
  });
});
