/**
 * docs/json.md read as data: each `### \`infusionsoft COMMAND ... --json\`` section and its table of
 * top-level fields (`always`, or when the field is there). Tests compare a command's printed
 * document with it, so the page cannot drift from what the commands print.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DocumentedFields {
  /** The section's heading, e.g. `infusionsoft export RESOURCE -o FILE --json`. */
  heading: string;
  /** The command's words: `export`, `auth status`. */
  command: string;
  /** Fields in every document. */
  always: string[];
  /** Fields there only sometimes (the table says when). */
  sometimes: string[];
}

export const JSON_DOC = join(import.meta.dirname, '..', '..', 'docs', 'json.md');

export function documentedDocuments(text = readFileSync(JSON_DOC, 'utf8')): DocumentedFields[] {
  const sections = text.split(/^### /m).slice(1);
  return sections.map((section) => {
    const heading = /^`([^`]+)`/.exec(section)?.[1];
    if (!heading) throw new Error(`docs/json.md: a section without a command heading: ${section.slice(0, 60)}`);
    const words = heading.split(' ').slice(1);
    const end = words.findIndex((word) => !/^[a-z][a-z-]*$/.test(word));
    const command = (end < 0 ? words : words.slice(0, end)).join(' ');
    const always: string[] = [];
    const sometimes: string[] = [];
    for (const match of section.matchAll(/^\| `([^`]+)` \| ([^|]+) \|/gm)) {
      const [, field, when] = match as unknown as [string, string, string];
      (when.trim() === 'always' ? always : sometimes).push(field);
    }
    return { heading, command, always, sometimes };
  });
}

/** The section for `heading` (exact), or an error naming the headings there are. */
export function documented(heading: string, all = documentedDocuments()): DocumentedFields {
  const found = all.find((doc) => doc.heading === heading);
  if (!found) throw new Error(`docs/json.md has no section "${heading}"; it has: ${all.map((d) => d.heading).join('; ')}`);
  return found;
}
