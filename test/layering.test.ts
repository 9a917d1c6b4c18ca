/**
 * The layering of DESIGN.md section 1, held over the imports of every file under src/:
 * commands -> etl -> api -> network, with the catalog consulted by all and importing none of them.
 * Every `import`, `import type`, `export ... from` and `import()` counts (TypeScript's own scanner).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const srcDir = join(import.meta.dirname, '..', 'src');

/** An import of one file: the importing file and the specifier, resolved to a src/ path when internal. */
interface ImportEdge {
  /** `api/client.ts`, relative to src/. */
  from: string;
  /** `etl/export/run.ts` for an internal import; the bare specifier (`undici`, `node:http`) otherwise. */
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

function importGraph(): ImportEdge[] {
  return sourceFiles(srcDir).flatMap((file) => {
    const from = relative(srcDir, file);
    const scanned = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    return scanned.importedFiles.map(({ fileName }) => ({
      from,
      to: fileName.startsWith('.') ? normalize(join(dirname(from), fileName)).replace(/\.js$/, '.ts') : fileName,
    }));
  });
}

/** `commands`, `etl`, `api`, ... for a folder; the file name for the files at the top of src/. */
const layerOf = (path: string) => (path.includes('/') ? path.split('/')[0]! : path);
const isInternal = (to: string) => to.endsWith('.ts');
const NETWORK = ['undici', 'node:http', 'node:https', 'node:net', 'node:tls', 'node:dns', 'node:dgram', 'node:http2'];

interface Rule {
  what: string;
  /** Which importing files the rule is about. */
  applies: (from: string) => boolean;
  /** True when the import breaks the rule. */
  breaks: (edge: ImportEdge) => boolean;
}

const importsLayer =
  (...layers: string[]) =>
  (edge: ImportEdge) =>
    isInternal(edge.to) && layers.includes(layerOf(edge.to));

const RULES: Rule[] = [
  {
    what: 'src/errors.ts imports nothing',
    applies: (from) => from === 'errors.ts',
    breaks: () => true,
  },
  {
    what: 'the catalog imports only its own files and src/errors.ts (and Node built-ins)',
    applies: (from) => layerOf(from) === 'catalog',
    breaks: ({ to }) => (isInternal(to) ? layerOf(to) !== 'catalog' && to !== 'errors.ts' : !to.startsWith('node:')),
  },
  {
    what: 'fs/ imports only its own files and src/errors.ts (and Node built-ins)',
    applies: (from) => layerOf(from) === 'fs',
    breaks: ({ to }) => (isInternal(to) ? layerOf(to) !== 'fs' && to !== 'errors.ts' : !to.startsWith('node:')),
  },
  {
    // fs/index.ts is the room's one door: a deep import would bypass what it chooses to export.
    what: 'only fs/ itself imports fs/atomic.ts (others go through fs/index.ts)',
    applies: (from) => layerOf(from) !== 'fs',
    breaks: ({ to }) => to === 'fs/atomic.ts',
  },
  {
    what: 'api/ imports neither etl/, commands/, auth/, sandbox/ nor the CLI',
    applies: (from) => layerOf(from) === 'api',
    breaks: importsLayer('etl', 'commands', 'auth', 'sandbox', 'cli.ts'),
  },
  {
    what: 'the sandbox shares no client code: it imports none of api/, etl/, auth/, commands/ or the CLI',
    applies: (from) => layerOf(from) === 'sandbox',
    breaks: importsLayer('api', 'etl', 'auth', 'commands', 'cli.ts'),
  },
  {
    what: 'etl/ does not import commands/ or the CLI',
    applies: (from) => layerOf(from) === 'etl',
    breaks: importsLayer('commands', 'cli.ts'),
  },
  {
    what: 'auth/ does not import etl/, commands/ or the CLI',
    applies: (from) => layerOf(from) === 'auth',
    breaks: importsLayer('etl', 'commands', 'cli.ts'),
  },
  {
    what: 'only api/ (the client) and sandbox/ (the server) touch the network',
    // auth/callback.ts is the one-shot loopback listener that receives the OAuth redirect: a server
    // on 127.0.0.1, not a client of Keap.
    applies: (from) => layerOf(from) !== 'api' && layerOf(from) !== 'sandbox' && from !== 'auth/callback.ts',
    breaks: ({ to }) => NETWORK.includes(to),
  },
  {
    // DESIGN.md section 1: auth supplies the client's credential source; its calls to Keap go through api/.
    what: 'auth/ has no HTTP client, not even the loopback listener (auth/callback.ts)',
    applies: (from) => layerOf(from) === 'auth',
    breaks: ({ to }) => to === 'undici' || to === 'node:https',
  },
  {
    // Its constructor can block the thread that calls it forever (a wedged D-Bus): only the helper
    // process that auth/keychain.ts spawns and can abandon may load it (issue 14).
    what: '@napi-rs/keyring is loaded only by the keychain helper process (auth/keychain-child.ts)',
    applies: (from) => from !== 'auth/keychain-child.ts',
    breaks: ({ to }) => to === '@napi-rs/keyring',
  },
];

/** Every import that breaks a rule, as `from -> to: rule`. */
function violations(graph: ImportEdge[], rules: Rule[] = RULES): string[] {
  return graph.flatMap((edge) =>
    rules.filter((rule) => rule.applies(edge.from) && rule.breaks(edge)).map((rule) => `${edge.from} -> ${edge.to}: ${rule.what}`),
  );
}

describe('the layering of src/ (DESIGN.md section 1)', () => {
  it('is held by every import', () => {
    const graph = importGraph();
    expect(graph.length).toBeGreaterThan(50);
    expect(violations(graph)).toEqual([]);
  });

  it('sees dynamic imports and re-exports, and resolves them to src/ paths', () => {
    const graph = importGraph();
    expect(graph).toContainEqual({ from: 'commands/context.ts', to: 'api/client.ts' });
    expect(graph).toContainEqual({ from: 'etl/export/run.ts', to: 'fs/index.ts' });
  });

  it('reports an import that breaks each rule', () => {
    const broken: ImportEdge[] = [
      { from: 'errors.ts', to: 'node:util' },
      { from: 'catalog/index.ts', to: 'etl/export/run.ts' },
      { from: 'catalog/index.ts', to: 'commander' },
      { from: 'fs/lock.ts', to: 'reporter.ts' },
      { from: 'fs/output.ts', to: 'etl/export/run.ts' },
      { from: 'fs/output.ts', to: 'commander' },
      { from: 'etl/export/checkpoint.ts', to: 'fs/atomic.ts' },
      { from: 'etl/import/input.ts', to: 'fs/atomic.ts' },
      { from: 'api/client.ts', to: 'etl/export/run.ts' },
      { from: 'api/client.ts', to: 'auth/store.ts' },
      { from: 'sandbox/server.ts', to: 'api/errors.ts' },
      { from: 'etl/export/run.ts', to: 'commands/output.ts' },
      { from: 'auth/login.ts', to: 'etl/export/state.ts' },
      { from: 'etl/export/run.ts', to: 'undici' },
      { from: 'auth/secrets.ts', to: '@napi-rs/keyring' },
      { from: 'auth/callback.ts', to: 'undici' },
    ];
    const found = violations(broken);
    expect(found).toHaveLength(broken.length);
    for (const edge of broken) expect(found.some((v) => v.startsWith(`${edge.from} -> ${edge.to}:`))).toBe(true);
  });

  it('lets the allowed imports through', () => {
    const allowed: ImportEdge[] = [
      { from: 'catalog/index.ts', to: 'catalog/types.ts' },
      { from: 'catalog/index.ts', to: 'errors.ts' },
      { from: 'fs/atomic.ts', to: 'node:fs/promises' },
      { from: 'fs/output.ts', to: 'fs/atomic.ts' },
      { from: 'fs/output.ts', to: 'errors.ts' },
      { from: 'etl/export/checkpoint.ts', to: 'fs/index.ts' },
      { from: 'api/types.ts', to: 'catalog/types.ts' },
      { from: 'sandbox/store.ts', to: 'catalog/index.ts' },
      { from: 'etl/export/run.ts', to: 'api/errors.ts' },
      { from: 'commands/context.ts', to: 'api/client.ts' },
      { from: 'api/client.ts', to: 'undici' },
      { from: 'auth/keychain-child.ts', to: '@napi-rs/keyring' },
      { from: 'auth/callback.ts', to: 'node:http' },
    ];
    expect(violations(allowed)).toEqual([]);
  });

  it('auth/ makes no HTTP request through the globals an import graph cannot see', () => {
    const requests = sourceFiles(join(srcDir, 'auth')).filter((file) =>
      /\bfetch\(|http\.request|https\.request/.test(readFileSync(file, 'utf8')),
    );
    expect(requests.map((file) => relative(srcDir, file))).toEqual([]);
  });
});
