/**
 * The size rule (issue 16): no source file under src/ is over 500 lines and no function over 100.
 * Functions are found by TypeScript's parser: declarations, methods, constructors, accessors,
 * function expressions and arrows (a command's `.action(async () => ...)` too), each measured from
 * its first line to its last, its doc comment left out. A function inside another counts on its own
 * and as part of the outer one. Run this file alone to list every offender.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const srcDir = join(import.meta.dirname, '..', 'src');
const MAX_FILE_LINES = 500;
const MAX_FUNCTION_LINES = 100;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Lines as `wc -l` counts them (a final newline ends the last line rather than starting one). */
function lineCount(text: string): number {
  const lines = text.split('\n').length;
  return text.endsWith('\n') ? lines - 1 : lines;
}

/** A name to find the function by: its own, or what it is assigned to or passed to. */
function nameOf(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) {
    const owner = node.parent.name?.getText(source);
    return `${owner ?? 'class'} constructor`;
  }
  if (node.name) return node.name.getText(source);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
    return parent.name.getText(source);
  }
  if (ts.isCallExpression(parent)) return `function passed to ${parent.expression.getText(source).split('\n').at(-1)?.trim()}`;
  return 'anonymous function';
}

interface Offender {
  /** Relative to src/: `etl/flatten.ts`. */
  file: string;
  /** For a function: where it starts and its name. */
  line?: number;
  name?: string;
  lines: number;
}

function longFunctions(file: string, text: string): Offender[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: Offender[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > MAX_FUNCTION_LINES) {
        found.push({ file: relative(srcDir, file), line: first + 1, name: nameOf(node as ts.FunctionLikeDeclaration, source), lines });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function measure(): { files: Offender[]; functions: Offender[] } {
  const files: Offender[] = [];
  const functions: Offender[] = [];
  for (const file of sourceFiles(srcDir)) {
    const path = relative(srcDir, file);
    const text = readFileSync(file, 'utf8');
    const lines = lineCount(text);
    if (lines > MAX_FILE_LINES) files.push({ file: path, lines });
    functions.push(...longFunctions(file, text));
  }
  return { files, functions };
}

const listed = (offenders: Offender[]) =>
  offenders.map((o) => `${o.file}${o.line === undefined ? '' : `:${o.line} ${o.name}`} (${o.lines} lines)`);

describe('size', () => {
  const { files, functions } = measure();

  it(`no source file is over ${MAX_FILE_LINES} lines`, () => {
    expect(listed(files)).toEqual([]);
  });

  it(`no function is over ${MAX_FUNCTION_LINES} lines`, () => {
    expect(listed(functions)).toEqual([]);
  });

  it('measures what it says: a function one line over the limit is caught by name, one at the limit is not', () => {
    const body = Array.from({ length: MAX_FUNCTION_LINES - 2 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const text = `export function long(): void {\n${body}\n}\nconst short = () => {\n  return 1;\n};\nprogram.action(async () => {\n${body}\n  await 0;\n});\n`;
    const found = longFunctions(join(srcDir, 'x.ts'), text);
    // `long` is exactly the limit; the action's callback is one line over it.
    expect(listed(found)).toEqual([`x.ts:${MAX_FUNCTION_LINES + 4} function passed to program.action (${MAX_FUNCTION_LINES + 1} lines)`]);
    expect(lineCount('a\nb\n')).toBe(2);
    expect(lineCount('a\nb')).toBe(2);
  });
});
