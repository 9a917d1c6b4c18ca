// The bench's `gather` row (issue 17, item 5): `export contacts --include tags` against a sandbox of
// many contacts and a few hundred tags, read per record and with `--gather auto` (which reads the
// tag lists): requests, wall time, and whether both wrote the same bytes. Auto's time at Keap's
// OAuth rate is computed from its request count.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';

const OAUTH_PER_MINUTE = 1500;

async function sha256(file) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

async function requestsSoFar(sandbox) {
  const stats = await (await fetch(`${sandbox.origin}/_sandbox/stats`)).json();
  return Object.values(stats.requests).reduce((a, b) => a + b, 0);
}

/** Rows for the table; `tools` are run.mjs's startSandbox, timed, bin, work, verdict. */
export async function gatherRows({ contacts, tags, startSandbox, timed, bin, work, verdict }) {
  const sandbox = await startSandbox(['--contacts', String(contacts), '--count', `tags=${tags}`]);
  const env = { INFUSIONSOFT_API_URL: sandbox.apiUrl, INFUSIONSOFT_ACCESS_TOKEN: sandbox.token };
  const run = async (gather) => {
    const out = join(work, `gather-${gather}.ndjson`);
    const before = await requestsSoFar(sandbox);
    const timing = await timed([bin, 'export', 'contacts', '--include', 'tags', '--gather', gather, '-o', out, '--no-progress'], env);
    return { ...timing, requests: (await requestsSoFar(sandbox)) - before, sha: await sha256(out) };
  };
  try {
    const perRecord = await run('per-record');
    const auto = await run('auto');
    const share = auto.requests / perRecord.requests;
    const same = auto.sha === perRecord.sha;
    const atOauth = (requests) => `${(requests / OAUTH_PER_MINUTE).toFixed(1)} min at 1,500/min`;
    const label = `${contacts.toLocaleString()} contacts, ${tags} tags`;
    return [
      [
        `export contacts --include tags --gather per-record, ${label}`,
        `${perRecord.seconds.toFixed(1)} s`,
        `${perRecord.requests.toLocaleString()} requests; ${atOauth(perRecord.requests)}`,
        '1.00x',
        '',
        '',
      ],
      [
        `export contacts --include tags (auto: the tag lists), ${label}`,
        `${auto.seconds.toFixed(1)} s`,
        `${auto.requests.toLocaleString()} requests; ${atOauth(auto.requests)}; ${same ? 'same bytes' : 'BYTES DIFFER'}`,
        `${(share * 100).toFixed(2)}% of the requests`,
        '<= 5%, same bytes',
        verdict(share <= 0.05 && same),
      ],
    ];
  } finally {
    await sandbox.stop();
  }
}
