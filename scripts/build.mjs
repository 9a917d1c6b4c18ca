#!/usr/bin/env node
// `npm run build`: bundles src/ into dist/ with esbuild, the layout that ships and that the
// end-to-end tests run. Start-up time is mostly resolving and reading modules (issue 19, item 1),
// so the CLI and what it needs at start are a few files; code behind an `import()` stays in chunks
// of its own, loaded only when a command gets there (ESM code splitting). Each command's module is
// such an `import()` (src/commands/command-table.ts): a run loads the one its arguments name.
//
// Layout: everything sits flat in dist/ (cli.js, keychain-child.js, the chunks), so a
// `new URL('./x.js', import.meta.url)` means dist/x.js whichever chunk its code lands in. The build
// checks each one, so a file spawned by path that is not built fails here, not at a user's.
import { build } from 'esbuild';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/**
 * Bundled: commander, which every run needs at start. The other packages stay in node_modules and
 * load by their `import()`: native and optional ones must (@napi-rs/keyring, the database drivers,
 * named here even before package.json lists them), `open` finds its xdg-open script beside itself,
 * and esbuild gives a lazily imported CommonJS package (undici) only a default export, where Node
 * gives its named ones. None of them is needed before a command runs.
 */
const BUNDLED = ['commander'];
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const EXTERNAL = [
  ...new Set([
    '@napi-rs/keyring',
    'better-sqlite3',
    'pg',
    'pg-copy-streams',
    ...Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies }),
  ]),
].filter((name) => !BUNDLED.includes(name));

// Bundled CommonJS (commander) calls require() for Node's built-in modules, which an ES
// module lacks: `process.getBuiltinModule` (Node >= 20.16) returns them without the CommonJS
// loader, whose createRequire() and resolution of five `node:` ids cost about a millisecond and a
// half at every start; anything else would get a require() made on its first call.
// commander requires node:child_process when it loads, for executable subcommands (a `git-foo`
// style file per command), which this CLI has none of: it gets a stand-in that loads the module
// on its first use, which saves loading child_process, net and dgram at every start.
const REQUIRE_SHIM = [
  'function require(id) {',
  "  const load = () => id.startsWith('node:') ? process.getBuiltinModule(id)",
  "    : (require.made ??= process.getBuiltinModule('node:module').createRequire(import.meta.url))(id);",
  "  return id === 'node:child_process' ? new Proxy({}, { get: (_, key) => load()[key] }) : load();",
  '}',
].join(' ');

rmSync(dist, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  // The CLI, and the keychain helper that keychain.ts starts as a process by its path.
  entryPoints: ['src/cli.ts', 'src/auth/keychain-child.ts'],
  outdir: dist,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  banner: { js: REQUIRE_SHIM },
  // src/cli.ts: the version without reading package.json at start.
  define: { BUILT_VERSION: JSON.stringify(pkg.version) },
  // Each chunk's map names the modules bundled into it (test/e2e/startup.test.ts reads them).
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
});

/** Every `new URL('./file', import.meta.url)` in the output must name a file that was built beside it. */
const missing = [];
for (const output of Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.js'))) {
  const text = readFileSync(join(root, output), 'utf8');
  for (const [, target] of text.matchAll(/new URL\(\s*["'](\.{1,2}\/[^"']+)["']\s*,\s*import\.meta\.url\s*\)/g)) {
    if (!existsSync(join(root, dirname(output), target))) missing.push(`${output}: ${target}`);
  }
}
if (missing.length > 0) {
  console.error(`build: files referenced by path from the bundle were not built (add them to entryPoints):\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
const files = Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.js'));
console.log(`build: ${files.length} files in ${relative(process.cwd(), dist) || '.'}/`);
