// The `sync` rows of `npm run bench` (issue 18): N contacts with their custom fields and keyed
// arrays into SQLite and into PostgreSQL, each as a ratio to `export --format ndjson` of the same
// data in the same run (targets: at most 1.5x wall, peak RSS under 250 MB); and an incremental
// sync of 1,000 changed contacts, which must send the same requests as the equivalent
// `export --state`. PostgreSQL is a throwaway cluster (initdb and pg_ctl, as `nobody` under root),
// skipped with a note when PostgreSQL is not installed.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHANGED = 1_000;

function postgresBin() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))[0];
  return version ? join(root, version, 'bin') : undefined;
}

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function startPostgres() {
  const bin = postgresBin();
  if (!bin) return undefined;
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'bench-pg-'));
  if (root) chownSync(dir, 65534, 65534);
  const run = (program, args) =>
    execFileSync(
      root ? 'setpriv' : join(bin, program),
      root ? ['--reuid', '65534', '--regid', '65534', '--clear-groups', join(bin, program), ...args] : args,
      { cwd: dir, stdio: 'ignore', env: { ...process.env, LC_ALL: 'C' } },
    );
  run('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  run('pg_ctl', [
    '-D',
    join(dir, 'data'),
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    'start',
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    stop() {
      try {
        run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

const requestCount = async (sandbox) => {
  const stats = await (await fetch(`${sandbox.origin}/_sandbox/stats`)).json();
  return Object.values(stats.requests).reduce((a, b) => a + b, 0);
};

/** The rows, measured with the bench's own helpers (run.mjs). */
export async function syncRows({ startSandbox, timed, bin, work, contacts, verdict, median, repeat }) {
  const rows = [];
  const sandbox = await startSandbox(['--contacts', String(contacts)]);
  const env = { INFUSIONSOFT_API_URL: sandbox.apiUrl, INFUSIONSOFT_ACCESS_TOKEN: sandbox.token };
  const postgres = await startPostgres();
  try {
    const ndjson = [];
    const sqlite = [];
    const pg = [];
    for (let i = 0; i < repeat; i++) {
      // Interleaved, so the machine's load falls on each alike; every sync starts from an empty database.
      ndjson.push(await timed([bin, 'export', 'contacts', '--format', 'ndjson', '-o', join(work, 'c.ndjson'), '--no-progress'], env));
      rmSync(join(work, 'c.db'), { force: true });
      sqlite.push(await timed([bin, 'sync', 'contacts', '--to', `sqlite:${join(work, 'c.db')}`, '--no-progress'], env));
      if (postgres) pg.push(await timed([bin, 'sync', 'contacts', '--to', postgres.url, '--schema', `run${i}`, '--no-progress'], env));
    }
    const base = median(ndjson.map((r) => r.seconds));
    const row = (what, runs) => {
      const wall = median(runs.map((r) => r.seconds));
      const rss = Math.max(...runs.map((r) => r.rssMb));
      const ratio = wall / base;
      rows.push([
        `sync ${contacts.toLocaleString()} contacts into ${what}`,
        `${wall.toFixed(1)} s`,
        `${Math.round(contacts / wall).toLocaleString()} rec/s, peak ${rss.toFixed(0)} MB; export ndjson ${base.toFixed(1)} s`,
        `${ratio.toFixed(2)}x`,
        '<= 1.5x wall, < 250 MB',
        verdict(ratio <= 1.5 && rss < 250),
      ]);
    };
    row('SQLite', sqlite);
    if (postgres) row('PostgreSQL (COPY + INSERT ... ON CONFLICT)', pg);
    else rows.push(['sync into PostgreSQL', 'not measured', 'PostgreSQL is not installed (/usr/lib/postgresql/*/bin)', '', '', '']);

    // Incremental: CHANGED contacts edited; `sync` and `export --state`, each after a first run, send the same requests.
    const state = join(work, 'sync-state.json');
    await timed([bin, 'export', 'contacts', '--state', state, '-o', join(work, 'c.ndjson'), '--no-progress'], env);
    const step = Math.max(1, Math.floor(contacts / CHANGED));
    for (let id = 1, n = 0; n < CHANGED && id <= contacts; id += step, n++) {
      await fetch(`${sandbox.apiUrl}/contacts/${id}`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${sandbox.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ given_name: `Changed ${id}` }),
      });
    }
    let before = await requestCount(sandbox);
    const exported = await timed([bin, 'export', 'contacts', '--state', state, '-o', join(work, 'c.ndjson'), '--no-progress'], env);
    const exportRequests = (await requestCount(sandbox)) - before;
    before = await requestCount(sandbox);
    const synced = await timed([bin, 'sync', 'contacts', '--to', `sqlite:${join(work, 'c.db')}`, '--no-progress'], env);
    const syncRequests = (await requestCount(sandbox)) - before;
    rows.push([
      `incremental sync, ${CHANGED.toLocaleString()} of ${contacts.toLocaleString()} contacts changed`,
      `${synced.seconds.toFixed(1)} s`,
      `${syncRequests} requests; export --state ${exportRequests} requests, ${exported.seconds.toFixed(1)} s`,
      `${(syncRequests / exportRequests).toFixed(2)}x requests`,
      'the same requests',
      verdict(syncRequests === exportRequests),
    ]);
    writeFileSync(join(work, 'sync-done'), '');
  } finally {
    postgres?.stop();
    await sandbox.stop();
  }
  return rows;
}
