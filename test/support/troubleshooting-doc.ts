/** docs/troubleshooting.md as the tests read it: each section's anchor and its "The CLI's hint" line. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DOC = fileURLToPath(new URL('../../docs/troubleshooting.md', import.meta.url));
const HINT_LINE = /^\*\*The CLI's hint:\*\* (`+) (.*) \1$/;

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

export interface DocHint {
  anchor: string;
  hint: string;
}

/** Every hint line of the page, with the anchor of the section it is in. */
export function troubleshootingHints(): DocHint[] {
  const hints: DocHint[] = [];
  let anchor = '';
  for (const line of readFileSync(DOC, 'utf8').split('\n')) {
    const heading = /^#{2,4} (.*)$/.exec(line);
    if (heading?.[1] !== undefined) anchor = anchorOf(heading[1]);
    const hint = HINT_LINE.exec(line);
    if (hint?.[2] !== undefined) hints.push({ anchor, hint: hint[2] });
  }
  return hints;
}

/** The hint the page gives in the section with this anchor (throws when there is none). */
export function docHint(anchor: string): string {
  const found = troubleshootingHints().find((entry) => entry.anchor === anchor);
  if (!found) throw new Error(`docs/troubleshooting.md has no hint line under #${anchor}`);
  return found.hint;
}
