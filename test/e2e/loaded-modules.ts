/**
 * Which modules a run of the built binary loaded: a preloaded probe (record-modules.mjs) lists
 * every file the process loaded. dist/ is a bundle (scripts/build.mjs): each of its files holds
 * many modules, which its source map names, so a loaded file counts as every module bundled into it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import { projectRoot, run, tempDir } from './cli.js';

const probe = pathToFileURL(join(projectRoot, 'test', 'e2e', 'record-modules.mjs')).href;

/** The files a run loaded (dist/ and node_modules/ ones), as paths under the project. */
export async function filesLoadedBy(args: string[], env: Record<string, string> = {}): Promise<string[]> {
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
export async function modulesLoadedBy(args: string[], env: Record<string, string> = {}): Promise<string[]> {
  return [...new Set((await filesLoadedBy(args, env)).flatMap(modulesIn))];
}
