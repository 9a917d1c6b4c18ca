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
/** `export`, `import` or `sync` for a file of one of the engines under etl/; undefined for anything else. */
const engineOf = (path: string) => /^etl\/(export|import|sync)\//.exec(path)?.[1];
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
    what: 'api/ imports neither etl/, direct/, commands/, auth/, sandbox/ nor the CLI',
    applies: (from) => layerOf(from) === 'api',
    breaks: importsLayer('etl', 'direct', 'commands', 'auth', 'sandbox', 'cli.ts'),
  },
  {
    what: 'the sandbox shares no client code: it imports none of api/, etl/, direct/, auth/, commands/ or the CLI',
    applies: (from) => layerOf(from) === 'sandbox',
    breaks: importsLayer('api', 'etl', 'direct', 'auth', 'commands', 'cli.ts'),
  },
  {
    what: 'etl/ does not import commands/ or the CLI',
    applies: (from) => layerOf(from) === 'etl',
    breaks: importsLayer('commands', 'cli.ts'),
  },
  {
    what: 'etl/export/ and etl/import/ never import each other, nor etl/sync/ (what both need lies in etl/)',
    applies: (from) => from.startsWith('etl/export/') || from.startsWith('etl/import/'),
    breaks: ({ from, to }) => isInternal(to) && engineOf(to) !== undefined && engineOf(to) !== engineOf(from),
  },
  {
    // sync is a sink on export's pages (the same plan, gathering and walks); import is not its business.
    what: 'etl/sync/ builds on etl/export/ only, never on etl/import/',
    applies: (from) => from.startsWith('etl/sync/'),
    breaks: ({ to }) => engineOf(to) === 'import',
  },
  {
    what: "etl/'s shared files (flatten, custom fields, errors, project, dates, key-values) import neither engine",
    applies: (from) => layerOf(from) === 'etl' && engineOf(from) === undefined,
    breaks: ({ to }) => engineOf(to) !== undefined,
  },
  {
    // describe and the raw `api` call read the catalog and call the client; the engines are not theirs.
    what: 'direct/ imports neither commands/, the CLI, nor an engine (etl/export/, etl/import/)',
    applies: (from) => layerOf(from) === 'direct',
    breaks: (edge) => importsLayer('commands', 'cli.ts')(edge) || engineOf(edge.to) !== undefined,
  },
  {
    what: 'etl/ does not import direct/',
    applies: (from) => layerOf(from) === 'etl',
    breaks: importsLayer('direct'),
  },
  {
    what: 'auth/ does not import etl/, direct/, commands/ or the CLI',
    applies: (from) => layerOf(from) === 'auth',
    breaks: importsLayer('etl', 'direct', 'commands', 'cli.ts'),
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

/**
 * The modules a source text loads when it is loaded itself: static `import` and `export ... from`,
 * not `import()` and not type-only imports (erased by the compiler).
 */
function staticImports(text: string): string[] {
  const source = ts.createSourceFile('file.ts', text, ts.ScriptTarget.Latest);
  return source.statements.flatMap((statement) => {
    if (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly && ts.isStringLiteral(statement.moduleSpecifier))
      return [statement.moduleSpecifier.text];
    if (
      ts.isExportDeclaration(statement) &&
      !statement.isTypeOnly &&
      statement.moduleSpecifier &&
      ts.isStringLiteral(statement.moduleSpecifier)
    )
      return [statement.moduleSpecifier.text];
    return [];
  });
}

/** Files under src/ that load @napi-rs/keyring as soon as they are loaded, rather than by `import()` at the call. */
function keyringLoadedEagerly(files: Array<{ path: string; text: string }>): string[] {
  return files.filter(({ text }) => staticImports(text).includes('@napi-rs/keyring')).map(({ path }) => path);
}

/**
 * The import cycles among the files `within` selects, each as its files in order (`a.ts b.ts`):
 * a cycle means no file of it can be read, or loaded, before the others.
 */
function cycles(graph: ImportEdge[], within: (path: string) => boolean): string[] {
  const next = new Map<string, string[]>();
  for (const { from, to } of graph) {
    if (within(from) && within(to)) next.set(from, [...(next.get(from) ?? []), to]);
  }
  const found = new Set<string>();
  const done = new Set<string>();
  const walk = (file: string, path: string[]) => {
    const at = path.indexOf(file);
    if (at >= 0) {
      const loop = path.slice(at);
      // One name per cycle, whichever file it was entered by: rotated to start at its smallest file.
      const start = loop.indexOf([...loop].sort()[0]!);
      found.add([...loop.slice(start), ...loop.slice(0, start)].join(' '));
      return;
    }
    if (done.has(file)) return;
    for (const to of next.get(file) ?? []) walk(to, [...path, file]);
    done.add(file);
  };
  for (const file of next.keys()) walk(file, []);
  return [...found];
}

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
      { from: 'etl/export/plan.ts', to: 'etl/import/mapping.ts' },
      { from: 'etl/import/apply.ts', to: 'etl/export/state.ts' },
      { from: 'etl/flatten.ts', to: 'etl/export/writers.ts' },
      { from: 'etl/project.ts', to: 'etl/import/types.ts' },
      { from: 'direct/describe.ts', to: 'commands/output.ts' },
      { from: 'direct/describe.ts', to: 'etl/export/plan.ts' },
      { from: 'etl/export/plan.ts', to: 'direct/describe.ts' },
      { from: 'api/client.ts', to: 'direct/api-call.ts' },
      { from: 'sandbox/server.ts', to: 'direct/describe.ts' },
      { from: 'auth/login.ts', to: 'direct/api-call.ts' },
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
      { from: 'etl/export/plan.ts', to: 'etl/flatten.ts' },
      { from: 'etl/import/apply.ts', to: 'etl/project.ts' },
      { from: 'etl/export/run.ts', to: 'etl/export/plan.ts' },
      { from: 'direct/describe.ts', to: 'etl/custom-fields.ts' },
      { from: 'commands/resources.ts', to: 'direct/describe.ts' },
    ];
    expect(violations(allowed)).toEqual([]);
  });

  // Its constructor can block the thread for ever: the helper loads it only once a call arrives.
  it('@napi-rs/keyring is loaded lazily, by import() in the one module allowed to load it', () => {
    const files = sourceFiles(srcDir).map((file) => ({ path: relative(srcDir, file), text: readFileSync(file, 'utf8') }));
    expect(keyringLoadedEagerly(files)).toEqual([]);
    const users = importGraph().filter((edge) => edge.to === '@napi-rs/keyring');
    expect([...new Set(users.map((edge) => edge.from))]).toEqual(['auth/keychain-child.ts']);
  });

  it('tells a static import of @napi-rs/keyring from a lazy one', () => {
    const files = [
      { path: 'static.ts', text: "import { AsyncEntry } from '@napi-rs/keyring';\nnew AsyncEntry('s', 'a');" },
      { path: 're-export.ts', text: "export { AsyncEntry } from '@napi-rs/keyring';" },
      { path: 'lazy.ts', text: "const { AsyncEntry } = await import('@napi-rs/keyring');" },
      { path: 'types.ts', text: "import type { AsyncEntry } from '@napi-rs/keyring';\ntype K = typeof import('@napi-rs/keyring');" },
    ];
    expect(keyringLoadedEagerly(files)).toEqual(['static.ts', 're-export.ts']);
  });

  it('has no import cycle inside etl/export/: each phase reads only the ones before it', () => {
    expect(cycles(importGraph(), (path) => engineOf(path) === 'export')).toEqual([]);
  });

  it('finds an import cycle, however long', () => {
    const graph: ImportEdge[] = [
      { from: 'etl/export/run.ts', to: 'etl/export/plan.ts' },
      { from: 'etl/export/plan.ts', to: 'etl/export/incremental.ts' },
      { from: 'etl/export/incremental.ts', to: 'etl/export/run.ts' },
      { from: 'etl/export/incremental.ts', to: 'etl/export/state.ts' },
    ];
    expect(cycles(graph, (path) => engineOf(path) === 'export')).toEqual([
      'etl/export/incremental.ts etl/export/run.ts etl/export/plan.ts',
    ]);
    expect(cycles(graph.slice(1), (path) => engineOf(path) === 'export')).toEqual([]);
  });

  it('auth/ makes no HTTP request through the globals an import graph cannot see', () => {
    const requests = sourceFiles(join(srcDir, 'auth')).filter((file) =>
      /\bfetch\(|http\.request|https\.request/.test(readFileSync(file, 'utf8')),
    );
    expect(requests.map((file) => relative(srcDir, file))).toEqual([]);
  });
});
