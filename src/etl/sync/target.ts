/**
 * `--to URL`: where a sync writes. `sqlite:PATH` (the embedded default) or `postgres://` /
 * `postgresql://` with `?sslmode=`; what the URL leaves out comes from the PG* variables as psql
 * reads them, and a missing password from the password file (~/.pgpass), as libpq reads it.
 * A password is never shown: every message names the target by `label`, which has none.
 */
import { existsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { pgpassPassword } from './pgpass.js';

export interface SqliteTarget {
  kind: 'sqlite';
  /** The database file, absolute. */
  path: string;
  label: string;
}

export interface PostgresTarget {
  kind: 'postgres';
  host: string;
  port: number;
  user: string;
  database: string;
  /** From the URL, PGPASSWORD, or the password file (PGPASSFILE, else ~/.pgpass). */
  password?: string;
  /** `disable` sends in the clear; `require` encrypts without checking; `verify-ca`/`verify-full` check. */
  sslmode: string;
  /** `postgres://user@host:port/db` without the password. */
  label: string;
}

export type SyncTarget = SqliteTarget | PostgresTarget;

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];
const USAGE_HINT = 'give --to sqlite:PATH (a database file) or --to postgres://user@host/db';

/** Parses `--to`; `env` supplies PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGSSLMODE. */
export function parseTarget(value: string, env: NodeJS.ProcessEnv, cwd = process.cwd()): SyncTarget {
  if (/^sqlite:/i.test(value)) return sqliteTarget(value.replace(/^sqlite:(\/\/)?/i, ''), cwd);
  if (/^postgres(ql)?:\/\//i.test(value)) return postgresTarget(value, env);
  throw new UsageError(`--to ${redactUrl(value)}: not a database URL`, { hint: USAGE_HINT });
}

function sqliteTarget(path: string, cwd: string): SqliteTarget {
  if (path === '') throw new UsageError('--to sqlite: names no file', { hint: 'for example --to sqlite:keap.db' });
  const absolute = resolve(cwd, path);
  const folder = dirname(absolute);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new UsageError(`--to sqlite:${path}: the folder ${folder} does not exist`, {
      hint: 'create it first, or name a file in a folder that exists',
    });
  }
  if (existsSync(absolute) && statSync(absolute).isDirectory()) {
    throw new UsageError(`--to sqlite:${path} is a folder`, { hint: 'name the database file, for example sqlite:keap.db' });
  }
  return { kind: 'sqlite', path: absolute, label: `sqlite:${path}` };
}

function postgresTarget(value: string, env: NodeJS.ProcessEnv): PostgresTarget {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--to ${redactUrl(value)}: not a URL`, { hint: USAGE_HINT });
  }
  const decode = (text: string) => (text === '' ? undefined : decodeURIComponent(text));
  // psql's defaults: the login name as the user, and the user's name as the database.
  const user = decode(url.username) ?? env.PGUSER ?? env.USER ?? userInfo().username;
  const database = decode(url.pathname.replace(/^\//, '')) ?? env.PGDATABASE ?? user;
  const host = decode(url.hostname) ?? url.searchParams.get('host') ?? env.PGHOST ?? 'localhost';
  const portText = url.port || url.searchParams.get('port') || env.PGPORT || '5432';
  const port = Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65535)
    throw new UsageError(`--to ${redactUrl(value)}: port "${portText}" is not a port`);
  const sslmode = (url.searchParams.get('sslmode') ?? env.PGSSLMODE ?? 'prefer').toLowerCase();
  if (!SSL_MODES.includes(sslmode)) {
    throw new UsageError(`--to ${redactUrl(value)}: sslmode=${sslmode} is not one of ${SSL_MODES.join(', ')}`);
  }
  for (const key of url.searchParams.keys()) {
    if (!['sslmode', 'host', 'port', 'application_name'].includes(key)) {
      throw new UsageError(`--to ${redactUrl(value)}: "${key}" is not a parameter sync understands`, {
        hint: 'it reads sslmode, host and port',
      });
    }
  }
  const password = decode(url.password) ?? env.PGPASSWORD ?? pgpassPassword({ host, port, database, user }, env);
  const label = `postgres://${encodeURIComponent(user)}@${host.includes('/') ? encodeURIComponent(host) : host}:${port}/${database}`;
  return {
    kind: 'postgres',
    host,
    port,
    user,
    database,
    ...(password ? { password } : {}),
    sslmode,
    label,
  };
}

/** A URL as it may be shown: any password replaced by `***`. */
export function redactUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@?#]*:)[^@/?#]*@/i, '$1***@').replace(/([?&]password=)[^&#]*/i, '$1***');
}

/** Removes a password from any text (a driver's error message may echo what it was given). */
export function redactText(text: string, target: SyncTarget): string {
  if (target.kind !== 'postgres' || !target.password) return text;
  return text.split(target.password).join('***');
}
