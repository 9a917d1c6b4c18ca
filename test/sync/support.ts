/** Reading a sync's database the way a user would: the sqlite3 shell, not the tool's own summary. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Rows of a query, through the `sqlite3` command-line shell's JSON mode. */
export function sqliteRows(file: string, sql: string): Array<Record<string, unknown>> {
  const out = execFileSync('sqlite3', ['-json', file, sql], { encoding: 'utf8' });
  return out.trim() === '' ? [] : (JSON.parse(out) as Array<Record<string, unknown>>);
}

export function sqliteCount(file: string, table: string, where = ''): number {
  return Number(sqliteRows(file, `SELECT count(*) AS n FROM "${table}" ${where}`)[0]?.n);
}

export const tempFolder = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** The records of an NDJSON export. */
export const ndjsonRecords = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/**
 * An HTTP proxy in front of the sandbox that passes every call through and lets `edit` change
 * the JSON answers: an account the sandbox cannot be (a relabelled custom field, records without
 * their key). Resolves to the API URL to use instead of the sandbox's, and a `close`.
 */
export async function startRewritingProxy(
  sandbox: { origin: string; apiUrl: string },
  edit: (path: string, body: Record<string, unknown>) => Record<string, unknown>,
): Promise<{ apiUrl: string; close(): Promise<void> }> {
  const proxy = createServer(async (req, res) => {
    const target = new URL(req.url ?? '/', sandbox.origin);
    const answer = await fetch(target, {
      method: req.method ?? 'GET',
      headers: { authorization: String(req.headers.authorization ?? '') },
    });
    const headers = Object.fromEntries(
      [...answer.headers].filter(([name]) => !['content-length', 'content-encoding', 'transfer-encoding'].includes(name)),
    );
    const text = await answer.text();
    const json = answer.headers.get('content-type')?.includes('json') && text;
    res.writeHead(answer.status, headers).end(json ? JSON.stringify(edit(target.pathname, JSON.parse(text))) : text);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    apiUrl: `http://127.0.0.1:${port}${new URL(sandbox.apiUrl).pathname}`,
    close: () => new Promise<void>((resolve) => proxy.close(() => resolve())),
  };
}
