/**
 * The command examples of README.md and docs/*.md, as a reader would copy them: the lines of code
 * blocks (fenced or indented) that run `infusionsoft`, with the lines around them that set up the
 * shell (`export`, `set -a; . ./file`). docs/commands.md (generated from --help) is left to
 * help-examples.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DocLine {
  /** `docs/import.md:15` */
  where: string;
  /** As typed, continuation lines joined, without a `$ ` prompt. */
  text: string;
  /** Changes the shell for the lines after it (`export A=b`, `set -a; . ./env; set +a`). */
  setup: boolean;
}

export interface DocBlock {
  file: string;
  lines: DocLine[];
  /** A block that starts a server in the background runs as one script. */
  background: boolean;
}

export interface DocFile {
  file: string;
  blocks: DocBlock[];
  /** `<!-- example-file: NAME -->` before a fenced block: NAME holds that block's text. */
  files: Record<string, string>;
}

const SHELL_FENCES = new Set(['', 'sh', 'bash', 'shell', 'console', 'zsh']);
const RUNS_CLI = /(^|[;&|(]\s*|^(\w+=\S*\s+)+|^([\d*,/-]+\s+){5})(infusionsoft|node bin\/infusionsoft\.js)(\s|$)/;
const SETUP = /^(export \w+=|set -a;)/;

/** The text before an unquoted `#` comment (a `#` inside quotes or a word is kept). */
function withoutComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] as string))) return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}

function blockOf(file: string, raw: Array<{ n: number; text: string }>): DocBlock | undefined {
  const prompted = raw.some((l) => l.text.startsWith('$ '));
  const joined: Array<{ n: number; text: string }> = [];
  for (const line of raw) {
    if (prompted && !line.text.startsWith('$ ')) continue;
    const text = prompted ? line.text.slice(2) : line.text;
    const last = joined[joined.length - 1];
    if (last?.text.endsWith('\\')) last.text = `${last.text.slice(0, -1).trimEnd()} ${text.trim()}`;
    else joined.push({ n: line.n, text });
  }
  const lines = joined.flatMap(({ n, text }): DocLine[] => {
    const code = withoutComment(text);
    const setup = SETUP.test(code);
    if (!setup && !RUNS_CLI.test(code)) return [];
    return [{ where: `${file}:${n}`, text: text.trimEnd(), setup }];
  });
  if (!lines.some((l) => !l.setup)) return undefined;
  return { file, lines, background: lines.some((l) => /&$/.test(withoutComment(l.text))) };
}

export function extractDoc(root: string, file: string): DocFile {
  const source = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  const files: Record<string, string> = {};
  let i = 0;
  let fileName: string | undefined;
  while (i < source.length) {
    const line = source[i] as string;
    const marker = /^<!-- example-file: (\S+)/.exec(line);
    if (marker) fileName = marker[1];
    const fence = /^```(\w*)/.exec(line);
    if (fence) {
      const body: Array<{ n: number; text: string }> = [];
      for (i++; i < source.length && !(source[i] as string).startsWith('```'); i++) body.push({ n: i + 1, text: source[i] as string });
      if (fileName) files[fileName] = `${body.map((l) => l.text).join('\n')}\n`;
      else if (SHELL_FENCES.has(fence[1] ?? '')) {
        const block = blockOf(file, body);
        if (block) blocks.push(block);
      }
      fileName = undefined;
      i++;
      continue;
    }
    // An indented code block: after a blank line, four spaces or more (a list item's own, six).
    if (/^ {4,}\S/.test(line) && (source[i - 1] ?? '').trim() === '') {
      const indent = (/^ */.exec(line)?.[0] ?? '').length;
      const body: Array<{ n: number; text: string }> = [];
      for (; i < source.length && (/^ {4,}\S/.test(source[i] as string) || (source[i] as string).trim() === ''); i++) {
        if ((source[i] as string).trim()) body.push({ n: i + 1, text: (source[i] as string).slice(indent) });
      }
      const block = blockOf(file, body);
      if (block) blocks.push(block);
      continue;
    }
    i++;
  }
  return { file, blocks, files };
}

/** README.md and every docs/*.md but the generated command reference. */
export function documentedFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md') && f !== 'commands.md')
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}
