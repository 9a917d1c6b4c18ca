/**
 * Beside the import layering (layering.test.ts): only auth/resolver.ts reads the INFUSIONSOFT_*
 * credential and URL variables (issue 16 item 3), so the lookup order and the origin check live in
 * one place. A read is any use of a variable's name as code: `env.INFUSIONSOFT_API_KEY`,
 * `env['INFUSIONSOFT_API_KEY']`, a destructured `{ INFUSIONSOFT_API_KEY }`, or the bare name as a
 * string (`['INFUSIONSOFT_API_KEY'].map((name) => env[name])`). Messages that mention a variable
 * (`set INFUSIONSOFT_API_KEY`) and comments are not reads. PG* and proxy variables are not covered.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const srcDir = join(import.meta.dirname, '..', 'src');

/** The one module that reads them. */
const OWNER = 'auth/resolver.ts';

/** INFUSIONSOFT_* variables that are neither a credential nor a URL, so any module may read them. */
const NOT_CREDENTIALS = new Set([
  'INFUSIONSOFT_CONFIG_DIR', // where the config folder is (auth/profiles.ts)
  'INFUSIONSOFT_KEYCHAIN_TIMEOUT', // how long a keychain call may take (auth/keychain.ts)
  'INFUSIONSOFT_IMPORT_SETTLE_MS', // a test knob of import's interrupt handling (commands/import.ts)
]);

const VARIABLE = /^INFUSIONSOFT_[A-Z0-9_]+$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Each credential or URL variable the code names, as `line: NAME`. */
function credentialReads(text: string): string[] {
  if (!text.includes('INFUSIONSOFT_')) return [];
  const file = ts.createSourceFile('scanned.ts', text, ts.ScriptTarget.Latest);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    const name = ts.isIdentifier(node) || ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : undefined;
    if (name && VARIABLE.test(name) && !NOT_CREDENTIALS.has(name)) {
      found.push(`${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}: ${name}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** Every read outside the owner, as `file:line: NAME`. */
function readsOutsideOwner(files: Array<{ path: string; text: string }>): string[] {
  return files.filter(({ path }) => path !== OWNER).flatMap(({ path, text }) => credentialReads(text).map((read) => `${path}:${read}`));
}

const srcFiles = () => sourceFiles(srcDir).map((file) => ({ path: relative(srcDir, file), text: readFileSync(file, 'utf8') }));

describe(`only ${OWNER} reads the INFUSIONSOFT_* credential and URL variables`, () => {
  it('holds for every file under src/', () => {
    const files = srcFiles();
    expect(files.length).toBeGreaterThan(50);
    expect(readsOutsideOwner(files)).toEqual([]);
  });

  it('sees the reads of the owner itself (so the scan is not blind)', () => {
    const owner = srcFiles().find(({ path }) => path === OWNER);
    const names = new Set(credentialReads(owner?.text ?? '').map((read) => read.split(': ')[1]));
    for (const name of ['INFUSIONSOFT_PROFILE', 'INFUSIONSOFT_ACCESS_TOKEN', 'INFUSIONSOFT_API_KEY', 'INFUSIONSOFT_API_URL']) {
      expect(names).toContain(name);
    }
  });

  it('reports each way of reading a variable, and not a message or a comment that names one', () => {
    const text = [
      'const a = env.INFUSIONSOFT_API_KEY?.trim();',
      "const b = io.env['INFUSIONSOFT_API_URL'];",
      'const { INFUSIONSOFT_PROFILE: named } = env;',
      "for (const name of ['INFUSIONSOFT_ACCESS_TOKEN']) use(env[name]);",
      'const c = env[`INFUSIONSOFT_TOKEN_URL`];',
      "const hint = 'set INFUSIONSOFT_API_KEY or INFUSIONSOFT_ACCESS_TOKEN';",
      '// INFUSIONSOFT_API_KEY wins over the default profile',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the scanned code holds a template literal
      'const message = `INFUSIONSOFT_PROFILE=${named} still wins`;',
      'const dir = env.INFUSIONSOFT_CONFIG_DIR;',
    ].join('\n');
    expect(readsOutsideOwner([{ path: 'commands/export.ts', text }])).toEqual([
      'commands/export.ts:1: INFUSIONSOFT_API_KEY',
      'commands/export.ts:2: INFUSIONSOFT_API_URL',
      'commands/export.ts:3: INFUSIONSOFT_PROFILE',
      'commands/export.ts:4: INFUSIONSOFT_ACCESS_TOKEN',
      'commands/export.ts:5: INFUSIONSOFT_TOKEN_URL',
    ]);
    expect(readsOutsideOwner([{ path: OWNER, text }])).toEqual([]);
  });
});
