/**
 * Every command example of README.md and docs/*.md runs as typed (issue 19, item 5), or is marked
 * below (or by a rule) as interactive, Keap-only, PostgreSQL-only, or run by another test, with the
 * reason. Each doc runs in a folder of its own, its lines in order, against a sandbox server:
 * the reader is logged in there (profile `default` by OAuth, `client-a` and `client-b` with its
 * token; a doc that runs `auth refresh` with an OAuth login of its own), each line with its own copy of that config folder, so one line's logout or login does
 * not change what the next line finds. Lines that set up the shell (`export`, `set -a; . ./env`)
 * apply to the block's later lines; a block that starts a server in the background runs as one
 * script. Two docs run at a time, each lane against a server of its own. Files the examples read: an earlier example's output, a block of the same doc marked
 * `<!-- example-file: NAME -->`, or a fixture of examples-runner.ts (FIXTURES, DOC_FIXTURES below).
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authEnv, oauthLogin } from './auth-support.js';
import { projectRoot, startSandboxProcess, tempDir, type SandboxProcess } from './cli.js';
import { type DocBlock, type DocFile, type DocLine, documentedFiles, extractDoc } from './doc-examples.js';
import { ExampleRun, FIXTURES, exampleEnv, runShell } from './examples-runner.js';

interface Mark {
  kind: 'interactive' | 'keap-only' | 'postgresql-only' | 'covered' | 'synopsis';
  reason: string;
}

const browser: Mark = { kind: 'interactive', reason: 'a person allows the login in a browser (test/e2e/auth-browser.test.ts does it)' };
const legacyId: Mark = {
  kind: 'keap-only',
  reason: 'needs a contact custom field named "Legacy ID"; the sandbox defines a fixed set without it',
};

/** Marks, keyed by the line as typed (its comment left out). */
const MARKS: Record<string, Mark> = {
  'npm ci && npm run build && node bin/infusionsoft.js --sandbox export contacts --format csv -o contacts.csv': {
    kind: 'covered',
    reason: 'npm test builds before the end-to-end tests; the export itself is README.md\'s "export contacts --format csv -o contacts.csv"',
  },
  'infusionsoft auth login --client-id YOUR_APP_ID': browser,
  'export INFUSIONSOFT_API_KEY=KeapAK-...': { kind: 'keap-only', reason: 'a real Personal Access Token in place of KeapAK-...' },
  'export INFUSIONSOFT_CLIENT_SECRET=...': { kind: 'keap-only', reason: "the app's client secret in place of ..." },
  'infusionsoft auth login --client-id YOUR_CLIENT_ID --port 8765': browser,
  'infusionsoft auth login --client-id ID --redirect-uri https://example.com/keap/callback': browser,
  'infusionsoft auth login --client-id ID --no-browser': browser,
  'INFUSIONSOFT_CLIENT_ID=... INFUSIONSOFT_CLIENT_SECRET=... infusionsoft auth login --refresh-token --insecure-storage < refresh-token.txt':
    { kind: 'keap-only', reason: "a refresh token minted on Keap's developer portal, and the app's id and secret in place of ..." },
  'infusionsoft --profile client-a auth login --client-id ID': browser,
  'infusionsoft --profile sandbox auth login': browser,
  'infusionsoft --profile sandbox export contacts --max 5': { kind: 'interactive', reason: 'needs the browser login of the line before' },
  'infusionsoft export --all -o DIR/ [--format csv|json|ndjson] [--state FILE] [--full-refresh] [--max N] [--page-size N] [--json]': {
    kind: 'synopsis',
    reason: 'the usage line, with placeholders',
  },
  'infusionsoft export RESOURCE [--format csv|json|ndjson] [-o FILE] [--fields a,b,...] [--include NAME,...]': {
    kind: 'synopsis',
    reason: 'the usage line, with placeholders',
  },
  'infusionsoft sync RESOURCE... --to URL [--schema NAME] [--include NAME,...] [--detect-deletes]': {
    kind: 'synopsis',
    reason: 'the usage line, with placeholders',
  },
  'infusionsoft sync --all --to URL ...': { kind: 'synopsis', reason: 'the usage line, with placeholders' },
  'infusionsoft export RESOURCE --to URL ...      the same, for one resource (export --all --to: sync --all)': {
    kind: 'synopsis',
    reason: 'the usage line, with placeholders',
  },
  '15 * * * *  infusionsoft sync contacts companies --detect-deletes --to sqlite:/srv/keap/keap.db 2>> /var/log/keap-sync.log': {
    kind: 'covered',
    reason: "a server's paths (/srv, /var/log); test/e2e/cron.test.ts runs docs/cron.md's sync into SQLite the way cron does",
  },
  'infusionsoft auth login': browser,
  'infusionsoft auth login --profile NAME': browser,
  'infusionsoft auth login --with-token': { kind: 'interactive', reason: 'a person types the key at the prompt' },
  // The whole block: a sandbox serving one fault, and the export it fails.
  'infusionsoft sandbox --faults 401-expired-token:1 > sandbox.env &': {
    kind: 'covered',
    reason:
      "test/commands/troubleshooting.test.ts feeds each fault of docs/troubleshooting.md through the sandbox and checks the CLI's hint",
  },
  'infusionsoft export tags': {
    kind: 'covered',
    reason: 'the export against the fault above (test/commands/troubleshooting.test.ts)',
  },
  'infusionsoft import contacts legacy.csv --match "custom.Legacy ID"': legacyId,
  'infusionsoft import contacts legacy.csv --match "custom.Legacy ID" --action update': legacyId,
};

const CRONTAB = /^([\d*,/-]+\s+){5}/;

/** The mark of a line: the table above, else a rule that holds for lines added later too. */
function markOf(line: DocLine, file: string): Mark | undefined {
  const typed = line.text.replace(/\s+#.*$/, '').trimEnd();
  if (MARKS[typed]) return MARKS[typed];
  if (/postgres(ql)?:\/\//.test(typed)) return { kind: 'postgresql-only', reason: 'needs a PostgreSQL server' };
  if (file === 'docs/cron.md' && CRONTAB.test(typed)) {
    return { kind: 'covered', reason: "test/e2e/cron*.test.ts runs docs/cron.md's crontab lines the way cron does" };
  }
  return undefined;
}

/** A crontab line elsewhere runs its command, in the job's folder: this one. */
const asTyped = (text: string) => text.replace(CRONTAB, '');

/** Files the docs name beyond the help examples' ones. */
const DOC_FIXTURES: Record<string, string> = {
  ...FIXTURES,
  'leads.csv': `printf 'given_name,family_name,email_addresses.EMAIL1.email\\nLea,Fair,lea.fair.doc@example.com\\nLeo,Fair,leo.fair.doc@example.com\\n' > leads.csv`,
  'leads-de.csv': `printf 'given_name,family_name,email_addresses.EMAIL1.email,birthday\\nUte,Datum,ute.datum.doc@example.com,14.03.1990 08:30\\n' > leads-de.csv`,
  'export-from-excel.csv': `printf 'given_name,family_name,email_addresses.EMAIL1.email,birthday\\nEve,Excel,eve.excel.doc@example.com,03/14/1990\\n' > export-from-excel.csv`,
};

/** A config folder where the reader is logged in: `default` by OAuth, client-a and client-b by the sandbox's token. */
async function loggedInConfig(sandbox: SandboxProcess): Promise<string> {
  const config = tempDir('infusionsoft-doc-config-');
  const login = await oauthLogin(authEnv(sandbox, config));
  expect(login.code, login.stderr).toBe(0);
  const env = exampleEnv(authEnv(sandbox, config));
  for (const profile of ['client-a', 'client-b']) {
    const stored = await runShell(
      `printf '%s\\n' "$TOKEN" | infusionsoft --profile ${profile} auth login --with-token --insecure-storage`,
      {
        cwd: config,
        env: { ...env, TOKEN: sandbox.token },
      },
    );
    expect(stored.code, stored.stderr).toBe(0);
  }
  return config;
}

/**
 * The doc's logged-in config folder: the shared one, or for a doc that refreshes (refresh tokens
 * rotate: one doc's refresh would end the shared login's) a copy with an OAuth login of its own.
 */
async function configFor(sandbox: SandboxProcess, doc: DocFile, shared: string): Promise<string> {
  if (!doc.blocks.some((b) => b.lines.some((l) => /\bauth refresh\b/.test(l.text)))) return shared;
  const own = tempDir('infusionsoft-doc-config-');
  cpSync(shared, own, { recursive: true });
  const login = await oauthLogin(authEnv(sandbox, own));
  expect(login.code, login.stderr).toBe(0);
  return own;
}

describe('every command example of README.md and docs/*.md runs as typed against the sandbox', () => {
  const docs = documentedFiles(projectRoot).map((file) => extractDoc(projectRoot, file));

  it('finds the examples (the extractor reads fenced and indented blocks, prompts and continuations)', () => {
    const lines = docs.flatMap((d) => d.blocks.flatMap((b) => b.lines.map((l) => l.text)));
    expect(lines).toContain('infusionsoft api PATCH /contacts/12 --data \'{"job_title":"CTO"}\'');
    expect(lines).toContain('infusionsoft sandbox --port 8080 > sandbox.env &');
    expect(lines.some((l) => l.startsWith('INFUSIONSOFT_CLIENT_ID=... INFUSIONSOFT_CLIENT_SECRET=... infusionsoft auth login'))).toBe(true);
    // Output lines of a `$ ` block are not commands.
    expect(lines.some((l) => l.startsWith('to continue:'))).toBe(false);
    expect(docs.find((d) => d.file === 'docs/import.md')?.files['orders.csv']).toContain('SKU-00001');
  });

  it('runs each one, or it is marked with a reason', async () => {
    const run = new ExampleRun(DOC_FIXTURES);
    const marked: string[] = [];
    const runDoc = async (sandbox: SandboxProcess, shared: string, doc: DocFile) => {
      const cwd = tempDir('infusionsoft-doc-');
      for (const name of ['key.txt', 'client-b.key']) writeFileSync(join(cwd, name), `${sandbox.token}\n`);
      for (const [name, text] of Object.entries(doc.files)) writeFileSync(join(cwd, name), text);
      const template = await configFor(sandbox, doc, shared);
      const made = new Set<string>();
      const envFor = () => {
        const config = tempDir('infusionsoft-doc-line-');
        cpSync(template, config, { recursive: true });
        return exampleEnv(authEnv(sandbox, config));
      };
      for (const block of doc.blocks) {
        const runnable = (block.lines as DocLine[]).filter((line) => {
          const mark = markOf(line, doc.file);
          if (mark) marked.push(`${line.where} [${mark.kind}: ${mark.reason}] ${line.text}`);
          return !mark;
        });
        for (const script of scriptsOf(block, runnable)) {
          await run.group([{ label: script.where, script: script.text }], envFor(), cwd, made);
        }
      }
    };
    // Two lanes, each its own server, its docs one after the other: a doc's edits (README's
    // PATCH /contacts/12) must not land between another doc's export and its --if-unchanged import.
    const lanes = [0, 1].map((lane) => docs.filter((_, i) => i % 2 === lane));
    await Promise.all(
      lanes.map(async (lane) => {
        // Each doc logs in by OAuth; by default a new authorisation ends the earlier ones' refresh tokens.
        const sandbox = await startSandboxProcess(['--keep-earlier-logins']);
        try {
          const shared = await loggedInConfig(sandbox);
          for (const doc of lane) await runDoc(sandbox, shared, doc);
        } finally {
          await sandbox.stop();
        }
      }),
    );
    console.log(`${run.slowest()}\nmarked:\n${marked.join('\n')}`);
    expect(run.failures.join('\n\n')).toBe('');
    expect(run.ran).toBeGreaterThan(40);
  }, 300_000);
});

/** What runs: a background block as one script; otherwise each line, after the block's setup lines before it. */
function scriptsOf(block: DocBlock, lines: DocLine[]): Array<{ where: string; text: string }> {
  if (block.background) {
    if (!lines.some((l) => !l.setup)) return [];
    return [{ where: lines[0]?.where ?? block.file, text: lines.map((l) => asTyped(l.text)).join('\n') }];
  }
  const setup: string[] = [];
  const scripts: Array<{ where: string; text: string }> = [];
  for (const line of lines) {
    if (line.setup) setup.push(line.text);
    else scripts.push({ where: line.where, text: [...setup, asTyped(line.text)].join('\n') });
  }
  return scripts;
}
