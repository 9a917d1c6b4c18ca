/**
 * The password file as libpq (psql) reads it: `PGPASSFILE`, else `~/.pgpass`; lines of
 * `host:port:database:user:password`, `*` matching anything, `\:` and `\\` escaped; the first line
 * that matches wins; a file others can read is ignored (psql warns and ignores it too). Read here,
 * from the run's environment, rather than left to the driver, which reads the process's.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface PgpassQuery {
  host: string;
  port: number;
  database: string;
  user: string;
}

/** The fields of one line, unescaped. */
function fields(line: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) current += line[++i];
    else if (c === ':') {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}

export function pgpassPassword(query: PgpassQuery, env: NodeJS.ProcessEnv): string | undefined {
  const file = env.PGPASSFILE ?? (env.HOME ? join(env.HOME, '.pgpass') : undefined);
  if (!file) return undefined;
  let text: string;
  try {
    const info = statSync(file);
    if (!info.isFile() || (info.mode & 0o077) !== 0) return undefined;
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  // A Unix socket (host starting with /) matches the "localhost" entry, as in libpq.
  const host = query.host.startsWith('/') ? 'localhost' : query.host;
  const wanted = [host, String(query.port), query.database, query.user];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const parts = fields(line);
    if (parts.length < 5) continue;
    if (wanted.every((value, i) => parts[i] === '*' || parts[i] === value)) return parts.slice(4).join(':');
  }
  return undefined;
}
