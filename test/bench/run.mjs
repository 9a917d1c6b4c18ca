#!/usr/bin/env node
// `npm run bench`: export speed, memory and pacing, each against a baseline measured in the same
// run, printed as one table. Not part of the test suite: timings on a shared machine are noisy.
// Set BENCH_QUICK=1 for a smaller, faster run (10k/100k contacts, 500 for the throttled run, 120
// for the key run). BENCH_ONLY=speed,throttle,pat runs only those rows: speed (export speed, with
// latency, and memory), throttle (--throttle 20), pat (a key held three minutes at Keap's limits),
// import (upserting contacts at --throttle 50 with 25 ms latency; peak RSS checking a million rows),
// roundtrip (export 10,000 contacts, edit 1%, import: with change detection and with --send-unchanged;
// BENCH_ROUNDTRIP=N sets the count).
// hash (peak RSS of a second `export notes --state` run, which compares every record's content
// hash with the last run's; BENCH_HASH_RECORDS sets the notes, 3,000,000 by default).
// gather (`export contacts --include tags`, N contacts and 300 tags: per record against auto, which
// reads the tag lists; requests, time, same bytes).
// plans (a 5,000-row contacts upsert, EMAIL1 only, into 100,000 contacts: requests per row of the
// chosen read plan against --reads per-row, and the same records after both).
// input (the heap while the import's input reads a large CSV file and JSON array: input-heap.mjs).
// sync (N contacts into SQLite and PostgreSQL against export --format ndjson, and an incremental
// sync's requests against export --state's; see sync.mjs).
// startup (`infusionsoft --version` against `node -e 0`, spawned in turns, the median of each;
// BENCH_STARTUP_RUNS sets the runs of each, 41 by default). `BENCH_ONLY=startup npm run bench` runs it alone.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { gatherRows } from './gather.mjs';
import { syncRows } from './sync.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'infusionsoft.js');
const quick = process.env.BENCH_QUICK === '1';
const N = quick ? 10_000 : 100_000;
const BIG = quick ? 100_000 : 1_000_000;
const THROTTLED = quick ? 500 : 2_000;
const RATE = 20;
const REPEAT = quick ? 1 : 3;
// A key exports against `sandbox --limits pat` for at least three minutes at ~228 requests a
// minute (one request per contact for its tags): 720 contacts take about 190 s.
const PAT_CONTACTS = quick ? 120 : 720;
const PAT_MINUTE = 240;
const ROWS = ['startup', 'speed', 'throttle', 'pat', 'import', 'roundtrip', 'hash', 'plans', 'input', 'sync', 'gather'];
const PLAN_CONTACTS = quick ? 20_000 : 100_000;
const PLAN_ROWS = quick ? 1_000 : 5_000;
const STARTUP_RUNS = Number(process.env.BENCH_STARTUP_RUNS) || (quick ? 21 : 41);
const ROUND_TRIP = Number(process.env.BENCH_ROUNDTRIP) || (quick ? 2_000 : 10_000);
const UPSERTS = quick ? 1_000 : 5_000;
const IMPORT_RATE = 50;
const CHECKED = quick ? 100_000 : 1_000_000;
const HASHED = Number(process.env.BENCH_HASH_RECORDS ?? (quick ? 100_000 : 3_000_000));
const only = process.env.BENCH_ONLY
  ? process.env.BENCH_ONLY.split(',')
      .map((name) => name.trim())
      .filter(Boolean)
  : undefined;
for (const name of only ?? []) {
  if (!ROWS.includes(name)) {
    console.error(`BENCH_ONLY: unknown row "${name}"; rows are ${ROWS.join(', ')}`);
    process.exit(2);
  }
}
const selected = (name) => !only || only.includes(name);
const work = mkdtempSync(join(tmpdir(), 'infusionsoft-bench-'));

function startSandbox(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'sandbox', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    const values = {};
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [k, ...rest] = line.split('=');
      values[k] = rest.join('=');
      if (values.INFUSIONSOFT_API_URL && values.INFUSIONSOFT_ACCESS_TOKEN) {
        resolve({
          apiUrl: values.INFUSIONSOFT_API_URL,
          token: values.INFUSIONSOFT_ACCESS_TOKEN,
          origin: new URL(values.INFUSIONSOFT_API_URL).origin,
          stop: () =>
            new Promise((r) => {
              child.once('exit', r);
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited (${code})`)));
  });
}

/** Runs node with the probe; resolves to wall seconds, CPU seconds (user + system) and peak RSS in MB. */
function timed(args, env = {}) {
  const rssFile = join(work, `rss-${Math.random().toString(36).slice(2)}`);
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', join(root, 'test', 'bench', 'rss.mjs'), ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env, BENCH_RSS_FILE: rssFile, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`));
      const usage = JSON.parse(readFileSync(rssFile, 'utf8'));
      resolve({ seconds, rssMb: usage.maxRSS / 1024, cpu: (usage.user + usage.system) / 1e6, stderr });
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function exportArgs(sandbox, format, out, extra = [], credential = { INFUSIONSOFT_ACCESS_TOKEN: sandbox.token }) {
  return [
    [bin, 'export', 'contacts', '--format', format, '-o', out, '--no-progress', ...extra],
    {
      INFUSIONSOFT_API_URL: sandbox.apiUrl,
      ...credential,
    },
  ];
}

function exportNotes(sandbox, out, extra = []) {
  return [
    [bin, 'export', 'notes', '--format', 'ndjson', '-o', out, '--no-progress', ...extra],
    { INFUSIONSOFT_API_URL: sandbox.apiUrl, INFUSIONSOFT_ACCESS_TOKEN: sandbox.token },
  ];
}

/** Counts records in an NDJSON file without holding it in memory (a million records is ~1 GB). */
function lines(file) {
  const fd = openSync(file, 'r');
  const buffer = Buffer.alloc(1 << 20);
  let count = 0;
  for (;;) {
    const read = readSync(fd, buffer, 0, buffer.length, null);
    if (read <= 0) break;
    for (let i = 0; i < read; i++) if (buffer[i] === 10) count++;
  }
  closeSync(fd);
  return count;
}
const rows = [];

/** 8. The import's input in flat memory, measured in a process of its own (test/bench/input-heap.mjs). */
function inputHeap() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'test', 'bench', 'input-heap.mjs'), '--json'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.once('exit', () => {
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`input-heap.mjs printed no rows: ${out}`));
      }
    });
  });
}
const verdict = (ok) => (ok ? 'ok' : 'MISSED');

try {
  if (selected('startup')) rows.push(...(await startup()));

  if (selected('speed')) {
    // 1. Speed: N contacts, ours (ndjson, csv) against the sequential baseline, interleaved runs.
    const sandbox = await startSandbox(['--contacts', String(N)]);
    const times = { baseline: [], ndjson: [], csv: [] };
    const cpu = { baseline: [], ndjson: [], csv: [] };
    const rss = { baseline: [], ndjson: [], csv: [] };
    const record = (what, run) => {
      times[what].push(run.seconds);
      cpu[what].push(run.cpu);
      rss[what].push(run.rssMb);
    };
    for (let i = 0; i < REPEAT; i++) {
      const baseOut = join(work, 'baseline.ndjson');
      record('baseline', await timed([join(root, 'test', 'bench', 'baseline.mjs'), sandbox.apiUrl, sandbox.token, baseOut]));
      if (lines(baseOut) !== N) throw new Error(`baseline wrote ${lines(baseOut)} records, expected ${N}`);
      const ndOut = join(work, 'ours.ndjson');
      record('ndjson', await timed(...exportArgs(sandbox, 'ndjson', ndOut)));
      if (lines(ndOut) !== N) throw new Error(`export wrote ${lines(ndOut)} records, expected ${N}`);
      const csvOut = join(work, 'ours.csv');
      record('csv', await timed(...exportArgs(sandbox, 'csv', csvOut)));
      statSync(csvOut);
    }
    await sandbox.stop();
    const base = median(times.baseline);
    rows.push([
      `baseline: sequential undici -> ndjson, ${N.toLocaleString()} contacts`,
      `${base.toFixed(2)} s`,
      `${Math.round(N / base).toLocaleString()} rec/s`,
      '1.00x',
      '',
      '',
    ]);
    for (const [format, target] of [
      ['ndjson', 1.0],
      ['csv', 1.3],
    ]) {
      const t = median(times[format]);
      const ratio = t / base;
      rows.push([
        `export --format ${format}, ${N.toLocaleString()} contacts`,
        `${t.toFixed(2)} s`,
        `${Math.round(N / t).toLocaleString()} rec/s`,
        `${ratio.toFixed(2)}x`,
        `<= ${target.toFixed(1)}x`,
        verdict(ratio <= target),
      ]);
    }
    // CPU time and peak memory of the process, against the same script's: the client must be
    // nowhere near the bottleneck at Keap's rates, whatever the wall time on loopback says.
    const baseCpu = median(cpu.baseline);
    const baseRss = median(rss.baseline);
    rows.push([`baseline CPU (user+sys) and peak RSS`, `${baseCpu.toFixed(2)} s CPU`, `${baseRss.toFixed(0)} MB`, '1.00x', '', '']);
    for (const [format, target] of [
      ['ndjson', 1.3],
      ['csv', 1.6],
    ]) {
      const ratio = median(cpu[format]) / baseCpu;
      rows.push([
        `CPU (user+sys), export --format ${format}`,
        `${median(cpu[format]).toFixed(2)} s CPU`,
        '',
        `${ratio.toFixed(2)}x`,
        `<= ${target.toFixed(1)}x`,
        verdict(ratio <= target),
      ]);
    }
    for (const format of ['ndjson', 'csv']) {
      const ratio = median(rss[format]) / baseRss;
      rows.push([
        `peak RSS, export --format ${format}`,
        `${median(rss[format]).toFixed(0)} MB`,
        '',
        `${ratio.toFixed(2)}x`,
        '<= 1.5x',
        verdict(ratio <= 1.5),
      ]);
    }

    // 1b. The same with 50 ms of latency per response, closer to a real network: here the prefetch
    // window, not the local sandbox's CPU, decides.
    const distant = await startSandbox(['--contacts', String(N), '--latency', '50']);
    const far = { baseline: [], ndjson: [] };
    for (let i = 0; i < REPEAT; i++) {
      far.baseline.push(
        (await timed([join(root, 'test', 'bench', 'baseline.mjs'), distant.apiUrl, distant.token, join(work, 'far-baseline.ndjson')]))
          .seconds,
      );
      far.ndjson.push((await timed(...exportArgs(distant, 'ndjson', join(work, 'far.ndjson')))).seconds);
    }
    await distant.stop();
    const farBase = median(far.baseline);
    const farOurs = median(far.ndjson);
    rows.push([
      `baseline, 50 ms latency, ${N.toLocaleString()} contacts`,
      `${farBase.toFixed(2)} s`,
      `${Math.round(N / farBase).toLocaleString()} rec/s`,
      '1.00x',
      '',
      '',
    ]);
    rows.push([
      `export --format ndjson, 50 ms latency`,
      `${farOurs.toFixed(2)} s`,
      `${Math.round(N / farOurs).toLocaleString()} rec/s`,
      `${(farOurs / farBase).toFixed(2)}x`,
      '<= 1.0x',
      verdict(farOurs / farBase <= 1.0),
    ]);

    // 2. Memory: peak RSS exporting N and BIG contacts (ndjson).
    const big = await startSandbox(['--contacts', String(BIG)]);
    const bigOut = join(work, 'big.ndjson');
    const bigRun = await timed(...exportArgs(big, 'ndjson', bigOut));
    await big.stop();
    if (lines(bigOut) !== BIG) throw new Error(`export wrote ${lines(bigOut)} of ${BIG} records`);
    rmSync(bigOut);
    const small = median(rss.ndjson);
    const growth = bigRun.rssMb / small;
    rows.push([`peak RSS, ${N.toLocaleString()} contacts`, `${small.toFixed(0)} MB`, '', '1.00x', '', '']);
    rows.push([
      `peak RSS, ${BIG.toLocaleString()} contacts (${bigRun.seconds.toFixed(1)} s)`,
      `${bigRun.rssMb.toFixed(0)} MB`,
      '',
      `${growth.toFixed(2)}x`,
      '<= 1.25x, < 250 MB',
      verdict(growth <= 1.25 && bigRun.rssMb < 250),
    ]);
  }

  if (selected('throttle')) {
    // 3. Pacing: --include tags over THROTTLED contacts, sandbox limited to RATE requests/s.
    const throttled = await startSandbox(['--contacts', String(THROTTLED), '--throttle', String(RATE)]);
    const tagsOut = join(work, 'tags.ndjson');
    const paced = await timed(...exportArgs(throttled, 'ndjson', tagsOut, ['--include', 'tags', '--gather', 'per-record']));
    const stats = await (await fetch(`${throttled.origin}/_sandbox/stats`)).json();
    await throttled.stop();
    const requests = Object.values(stats.requests).reduce((a, b) => a + b, 0);
    const achieved = requests / paced.seconds / RATE;
    const share429 = stats.throttled / requests;
    const records = readFileSync(tagsOut, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const complete = records.length === THROTTLED && records.every((r) => Array.isArray(r.tags));
    rows.push([
      `--include tags, ${THROTTLED.toLocaleString()} contacts, sandbox at ${RATE} req/s`,
      `${paced.seconds.toFixed(1)} s`,
      `${requests} req, ${stats.throttled} x 429 (${(share429 * 100).toFixed(1)}%)`,
      `${(achieved * 100).toFixed(0)}% of limit`,
      '>= 90%, <= 2% 429, none missing',
      verdict(achieved >= 0.9 && share429 <= 0.02 && complete),
    ]);
  }

  if (selected('pat')) {
    // 4. A key held for three minutes at Keap's limits: --include tags with INFUSIONSOFT_API_KEY
    // against `sandbox --limits pat` (5/s spike arrest announced as 10ps, 240 a minute, ...).
    const limited = await startSandbox(['--contacts', String(PAT_CONTACTS), '--limits', 'pat']);
    const patOut = join(work, 'pat.ndjson');
    const keyed = await timed(
      ...exportArgs(limited, 'ndjson', patOut, ['--include', 'tags', '--gather', 'per-record'], { INFUSIONSOFT_API_KEY: limited.token }),
    );
    const patStats = await (await fetch(`${limited.origin}/_sandbox/stats`)).json();
    await limited.stop();
    const patRequests = Object.values(patStats.requests).reduce((a, b) => a + b, 0);
    // Only what got through counts toward the rate; 429s are reported on their own.
    const perMinute = ((patRequests - patStats.throttled) / keyed.seconds) * 60;
    const patShare429 = patStats.throttled / patRequests;
    const patRecords = readFileSync(patOut, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const patComplete = patRecords.length === PAT_CONTACTS && patRecords.every((r) => Array.isArray(r.tags));
    const spikePeak = patStats.windows['product-spike'].peak;
    rows.push([
      `key (X-Keap-API-Key), --include tags, ${PAT_CONTACTS} contacts, sandbox --limits pat`,
      `${keyed.seconds.toFixed(1)} s`,
      `${patRequests} req, ${Math.round(perMinute)}/min, ${patStats.throttled} x 429 (${(patShare429 * 100).toFixed(1)}%), peak ${spikePeak}/s`,
      `${((perMinute / PAT_MINUTE) * 100).toFixed(0)}% of 240/min`,
      `>= 90%, <= 2% 429, >= 180 s, none missing`,
      verdict(perMinute / PAT_MINUTE >= 0.9 && patShare429 <= 0.02 && (quick || keyed.seconds >= 180) && patComplete),
    ]);
  }

  if (selected('import')) {
    // 5. Import: UPSERTS new contacts (EMAIL1 only, so each row is first looked up by email to keep
    // the addresses it does not name) into a sandbox answering after 25 ms and allowing 50 req/s.
    const target = await startSandbox(['--contacts', '100', '--latency', '25', '--throttle', String(IMPORT_RATE)]);
    const headers = { Authorization: `Bearer ${target.token}` };
    const total = async () => (await (await fetch(`${target.apiUrl}/contacts?limit=1`, { headers })).json()).count;
    const before = await total();
    const leads = join(work, 'leads.csv');
    const lines = ['email_addresses.EMAIL1.email,given_name,family_name,phone_numbers.PHONE1.number'];
    for (let i = 0; i < UPSERTS; i++) lines.push(`bench-lead-${i}@example.org,Lead,Number ${i},+1 555 01${String(i).padStart(5, '0')}`);
    writeFileSync(leads, `${lines.join('\n')}\n`);
    const statsBefore = await (await fetch(`${target.origin}/_sandbox/stats`)).json();
    const upserted = await timed([bin, 'import', 'contacts', leads, '--no-progress', '--opt-in-reason', 'bench'], {
      INFUSIONSOFT_API_URL: target.apiUrl,
      INFUSIONSOFT_ACCESS_TOKEN: target.token,
    });
    const stats = await (await fetch(`${target.origin}/_sandbox/stats`)).json();
    const sum = (o) => Object.values(o.requests).reduce((a, b) => a + b, 0);
    const requests = sum(stats) - sum(statsBefore);
    const throttled = stats.throttled - statsBefore.throttled;
    const added = (await total()) - before;
    await target.stop();
    const results = readFileSync(join(work, 'leads.results.csv'), 'utf8').trim().split('\n').slice(1);
    const ids = new Set(results.map((line) => line.split(',').at(-1)));
    const lostOrDoubled = Math.abs(added - UPSERTS) + (UPSERTS - ids.size);
    const achieved = (requests - throttled) / upserted.seconds / IMPORT_RATE;
    rows.push([
      `import contacts (upsert), ${UPSERTS.toLocaleString()} rows, 25 ms latency, sandbox at ${IMPORT_RATE} req/s`,
      `${upserted.seconds.toFixed(1)} s`,
      `${(UPSERTS / upserted.seconds).toFixed(1)} rows/s, ${(requests / UPSERTS).toFixed(2)} req/row, ${throttled} x 429, ${lostOrDoubled} lost or doubled`,
      `${(achieved * 100).toFixed(0)}% of limit`,
      '>= 90%, 0 lost or doubled',
      verdict(achieved >= 0.9 && lostOrDoubled === 0),
    ]);

    // 6. Checking a file of CHECKED rows (--dry-run: every row read, mapped and validated) in flat memory.
    const big = join(work, 'big.csv');
    const out = openSync(big, 'w');
    writeSync(out, 'email_addresses.EMAIL1.email,given_name,family_name,owner_id\n');
    let chunk = '';
    for (let i = 0; i < CHECKED; i++) {
      chunk += `row-${i}@example.org,Given ${i},"Family, ${i}",${i % 7}\n`;
      if (chunk.length > 1 << 20) {
        writeSync(out, chunk);
        chunk = '';
      }
    }
    writeSync(out, chunk);
    closeSync(out);
    const local = await startSandbox(['--contacts', '10']);
    const checked = await timed([bin, 'import', 'contacts', big, '--dry-run', '--no-progress'], {
      INFUSIONSOFT_API_URL: local.apiUrl,
      INFUSIONSOFT_ACCESS_TOKEN: local.token,
    });
    await local.stop();
    const valid = /(\d+) valid/.exec(checked.stderr)?.[1];
    rows.push([
      `import --dry-run, ${CHECKED.toLocaleString()} rows (peak RSS)`,
      `${checked.rssMb.toFixed(0)} MB`,
      `${Math.round(CHECKED / checked.seconds).toLocaleString()} rows/s, ${valid ?? '?'} valid`,
      '',
      '< 250 MB, every row valid',
      verdict(checked.rssMb < 250 && Number(valid) === CHECKED),
    ]);
    rmSync(big);
  }
  if (selected('roundtrip')) rows.push(await roundTrip());
  if (selected('plans')) rows.push(await readPlans());

  if (selected('hash')) {
    // 7. Hash mode (--state on a resource without a trusted update time): the second run reads
    // HASHED notes and compares each one's hash with the last run's, all of them unchanged.
    const notes = await startSandbox(['--contacts', '10', '--count', `notes=${HASHED}`]);
    const state = join(work, 'hash-state.json');
    const hashOut = join(work, 'notes.ndjson');
    const hashRun = () => timed(...exportNotes(notes, hashOut, ['--state', state]));
    // The same export without --state: what the hashes add is the difference.
    const plain = await timed(...exportNotes(notes, hashOut));
    const first = await hashRun();
    const firstCount = lines(hashOut);
    const second = await hashRun();
    await notes.stop();
    const secondCount = lines(hashOut);
    const saved = JSON.parse(readFileSync(state, 'utf8')).bookmarks.notes?.records;
    const complete = firstCount === HASHED && secondCount === 0 && Number(saved) === HASHED;
    rows.push([
      `export notes --state, second run, ${HASHED.toLocaleString()} notes (peak RSS)`,
      `${second.rssMb.toFixed(0)} MB`,
      `${second.seconds.toFixed(1)} s; first run ${first.rssMb.toFixed(0)} MB, without --state ${plain.rssMb.toFixed(0)} MB; ${secondCount} rewritten`,
      `${Math.round(((second.rssMb - plain.rssMb) * 1024 * 1024) / HASHED)} B/rec over plain`,
      '< 250 MB for 3,000,000, none rewritten',
      verdict(second.rssMb < 250 * Math.max(1, HASHED / 3_000_000) && complete),
    ]);
    rmSync(hashOut);
  }
  if (selected('input')) rows.push(...(await inputHeap()));
  if (selected('sync')) rows.push(...(await syncRows({ startSandbox, timed, bin, work, contacts: N, verdict, median, repeat: REPEAT })));
  if (selected('gather')) rows.push(...(await gatherRows({ contacts: N, tags: 300, startSandbox, timed, bin, work, verdict })));
} catch (error) {
  process.exitCode = 1;
  console.error(`bench stopped: ${error.message}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (quick) console.log('BENCH_QUICK=1: smaller sizes for a fast look; the targets are set for the full run.\n');
const header = ['measurement', 'time / size', 'throughput', 'ratio', 'target', ''];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const fmt = (r) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
console.log(fmt(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(fmt(r));

/** Wall milliseconds from spawning `node ...args` to its exit, output discarded; rejects unless it exits 0. */
function spawnMs(args) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`node ${args.join(' ')} exited ${code}`));
      resolve(Number(process.hrtime.bigint() - started) / 1e6);
    });
  });
}

/**
 * 0. Start-up: `infusionsoft --version` against `node -e 0`, spawned in turns so both see the same
 * machine, each the median of STARTUP_RUNS (after one unmeasured run of each to warm the disk cache).
 */
async function startup() {
  const node = [];
  const ours = [];
  await spawnMs(['-e', '0']);
  await spawnMs([bin, '--version']);
  for (let i = 0; i < STARTUP_RUNS; i++) {
    node.push(await spawnMs(['-e', '0']));
    ours.push(await spawnMs([bin, '--version']));
  }
  const base = median(node);
  const ratio = median(ours) / base;
  return [
    [`baseline: node -e 0, median of ${STARTUP_RUNS}`, `${base.toFixed(0)} ms`, '', '1.00x', '', ''],
    [
      `infusionsoft --version, median of ${STARTUP_RUNS}`,
      `${median(ours).toFixed(0)} ms`,
      '',
      `${ratio.toFixed(2)}x`,
      '<= 1.5x',
      verdict(ratio <= 1.5),
    ],
  ];
}

/**
 * 7. A spreadsheet round trip: ROUND_TRIP contacts exported, 1% of them edited, imported again, with
 * change detection (a GET per row, a PATCH per edited row) and with --send-unchanged (every row
 * sent), each against the same sandbox answering after 25 ms.
 */
async function roundTrip() {
  const sandbox = await startSandbox(['--contacts', String(ROUND_TRIP), '--latency', '25']);
  const env = { INFUSIONSOFT_API_URL: sandbox.apiUrl, INFUSIONSOFT_ACCESS_TOKEN: sandbox.token };
  try {
    const exported = join(work, 'roundtrip.csv');
    await timed([bin, 'export', 'contacts', '-o', exported, '--no-progress'], env);
    const records = parse(readFileSync(exported, 'utf8'), { columns: true, bom: true });
    let edited = 0;
    records.forEach((record, index) => {
      if (index % 100 !== 0) return;
      record.given_name = `Edited ${index}`;
      edited++;
    });
    const text = stringify(records, { header: true });
    const stats = async () => (await (await fetch(`${sandbox.origin}/_sandbox/stats`)).json()).requests;
    const measure = async (name, extra) => {
      const file = join(work, `${name}.csv`);
      writeFileSync(file, text);
      const before = await stats();
      const run = await timed([bin, 'import', 'contacts', file, '--no-progress', ...extra], env);
      const after = await stats();
      const sent = Object.keys(after).reduce((n, key) => n + after[key] - (before[key] ?? 0), 0);
      const patches = (after['PATCH /contacts/{id}'] ?? 0) - (before['PATCH /contacts/{id}'] ?? 0);
      return { rate: records.length / run.seconds, sent, patches, seconds: run.seconds };
    };
    const detected = await measure('roundtrip-detect', []);
    const everything = await measure('roundtrip-send-all', ['--send-unchanged']);
    return [
      `import round trip, ${records.length.toLocaleString()} contacts, ${edited} edited (1%), 25 ms latency`,
      `${detected.seconds.toFixed(1)} s`,
      `${detected.rate.toFixed(1)} rows/s, ${detected.sent} req (${detected.patches} PATCH); --send-unchanged: ${everything.rate.toFixed(1)} rows/s, ${everything.sent} req (${everything.patches} PATCH)`,
      `${(detected.sent / everything.sent).toFixed(2)}x requests`,
      'PATCHes = edited rows',
      verdict(detected.patches === edited && everything.patches === records.length),
    ];
  } finally {
    await sandbox.stop();
  }
}

/** Every contact of a sandbox, by id (the list read straight, with custom fields). */
async function allContacts(sandbox) {
  const headers = { Authorization: `Bearer ${sandbox.token}` };
  const byId = new Map();
  for (let offset = 0; ; offset += 1000) {
    const url = `${sandbox.apiUrl}/contacts?limit=1000&offset=${offset}&order=id&order_direction=ASCENDING&optional_properties=custom_fields,job_title,lead_source_id`;
    const page = await (await fetch(url, { headers })).json();
    for (const contact of page.contacts) byId.set(contact.id, contact);
    if (page.contacts.length < 1000) return byId;
  }
}

/**
 * 8. Import plans its reads (issue 17, item 6): PLAN_ROWS upserts (EMAIL1 and a new given name) of
 * existing contacts spread over PLAN_CONTACTS, with the chosen plan and with --reads per-row, each
 * into its own sandbox of the same seed; requests per row from the sandbox's stats, and the records
 * of both compared afterwards (without last_updated, which each write moves).
 */
async function readPlans() {
  const listed = await startSandbox(['--contacts', String(PLAN_CONTACTS)]);
  const perRow = await startSandbox(['--contacts', String(PLAN_CONTACTS)]);
  try {
    const before = await allContacts(listed);
    const chosen = [];
    let seen = 0;
    for (const contact of before.values()) {
      const email = contact.email_addresses?.find((entry) => entry.field === 'EMAIL1')?.email;
      if (!email || seen++ % Math.floor(PLAN_CONTACTS / PLAN_ROWS / 1.5) !== 0 || chosen.length >= PLAN_ROWS) continue;
      chosen.push([contact.id, email]);
    }
    if (chosen.length !== PLAN_ROWS) throw new Error(`found ${chosen.length} contacts with an EMAIL1, wanted ${PLAN_ROWS}`);
    const text = `email_addresses.EMAIL1.email,given_name\n${chosen.map(([id, email]) => `${email},Planned ${id}`).join('\n')}\n`;
    const total = async (sandbox) =>
      Object.values((await (await fetch(`${sandbox.origin}/_sandbox/stats`)).json()).requests).reduce((a, b) => a + b, 0);
    const measure = async (sandbox, name, extra) => {
      const file = join(work, `${name}.csv`);
      writeFileSync(file, text);
      const start = await total(sandbox);
      const run = await timed([bin, 'import', 'contacts', file, '--no-progress', ...extra], {
        INFUSIONSOFT_API_URL: sandbox.apiUrl,
        INFUSIONSOFT_ACCESS_TOKEN: sandbox.token,
      });
      return { perRow: ((await total(sandbox)) - start) / PLAN_ROWS, seconds: run.seconds };
    };
    const auto = await measure(listed, 'plans-auto', []);
    const reference = await measure(perRow, 'plans-per-row', ['--reads', 'per-row']);
    const [a, b] = [await allContacts(listed), await allContacts(perRow)];
    const strip = ({ last_updated, ...record }) => JSON.stringify(record);
    const differing = chosen.filter(([id]) => !a.get(id) || strip(a.get(id)) !== strip(b.get(id))).length;
    const renamed = chosen.filter(([id]) => a.get(id)?.given_name === `Planned ${id}`).length;
    return [
      `import contacts (upsert, EMAIL1 only), ${PLAN_ROWS.toLocaleString()} rows into ${PLAN_CONTACTS.toLocaleString()} contacts`,
      `${auto.seconds.toFixed(1)} s`,
      `${auto.perRow.toFixed(2)} req/row; --reads per-row: ${reference.perRow.toFixed(2)} req/row in ${reference.seconds.toFixed(1)} s; ${differing} records differ`,
      `${(auto.perRow / reference.perRow).toFixed(2)}x requests`,
      '<= 1.1 req/row, same records',
      verdict(auto.perRow <= 1.1 && differing === 0 && renamed === PLAN_ROWS),
    ];
  } finally {
    await listed.stop();
    await perRow.stop();
  }
}
