/**
 * A throwaway PostgreSQL cluster for the sync tests: `initdb` and `pg_ctl` (Debian keeps them in
 * /usr/lib/postgresql/<version>/bin, off the PATH) in a temporary folder, on a free loopback port,
 * stopped and removed after. `initdb` refuses to run as root, and CI runs as root: there the
 * cluster belongs to `nobody` (its folder given to it, the programs run through `setpriv`); as
 * any other user it is simply that user's.
 *
 * Without PostgreSQL the tests skip, saying so, except under CI=true, where they fail: CI installs
 * Debian's `postgresql` (.ci/run).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerSecret } from './record.js';

export interface PostgresCluster {
  port: number;
  /** A superuser URL with a password (scram over TCP). */
  url: string;
  user: string;
  password: string;
  /** Runs SQL through psql and returns its rows (unaligned, `|`-separated). */
  psql(sql: string, database?: string): string[][];
  stop(): Promise<void>;
}

const NOBODY = 65534;
const PASSWORD = 'pg-test-secret-7f3a';

/** The newest installed PostgreSQL's bin folder, or undefined. */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest) return join(root, newest, 'bin');
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  return onPath ? join(onPath, '..') : undefined;
}

/** Why the tests cannot have PostgreSQL here, or undefined when they can. */
export function postgresUnavailable(): string | undefined {
  return postgresBin() ? undefined : 'PostgreSQL is not installed (initdb not found in /usr/lib/postgresql/*/bin or on the PATH)';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = postgresBin();
  if (!bin) throw new Error(postgresUnavailable());
  // The suite's final scan checks that no output ever shows it.
  registerSecret(PASSWORD);
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'sync-pg-'));
  if (root) chownSync(dir, NOBODY, NOBODY);
  const run = (program: string, args: string[], input?: string) => {
    const [command, full] = root
      ? ['setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', join(bin, program), ...args]]
      : [join(bin, program), args];
    return execFileSync(command, full, {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(input ? { input } : {}),
      env: { ...process.env, LC_ALL: 'C' },
    });
  };
  const data = join(dir, 'data');
  const passwordFile = join(dir, 'password');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (root) chownSync(passwordFile, NOBODY, NOBODY);
  run('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--pwfile',
    passwordFile,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  const port = await freePort();
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-t',
    '30',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
    'start',
  ]);
  const psql = (sql: string, database = 'postgres') =>
    run('psql', ['-h', dir, '-p', String(port), '-U', 'postgres', '-d', database, '-At', '-F', '|', '-v', 'ON_ERROR_STOP=1', '-c', sql])
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split('|'));
  return {
    port,
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres?sslmode=disable`,
    user: 'postgres',
    password: PASSWORD,
    psql,
    async stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
