/**
 * The sandbox's `401-*` faults: Keap's gateway refusing a credential with each of its `fault`
 * error codes (API-FACTS.md section 9), for reads and writes alike.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GATEWAY_REFUSALS, parseFaults } from '../../src/sandbox/faults.js';
import { startTestSandbox } from '../support/cli.js';
import { keapDataMissing, keapFile } from '../support/keap-data.js';

const FACTS = keapFile('API-FACTS.md');

describe('sandbox faults: 401 with a gateway code', () => {
  if (!existsSync(FACTS)) keapDataMissing('the 401 error codes of API-FACTS.md', FACTS);
  it.skipIf(!existsSync(FACTS))('offers one kind for each error code API-FACTS records on a 401', () => {
    const section = readFileSync(FACTS, 'utf8').split('## 9. Error bodies')[1]?.split('\n## ')[0] ?? '';
    const recorded = new Set([...section.matchAll(/`((?:keymanagement|oauth)\.[\w.-]+)`/g)].map((match) => match[1]));
    expect(new Set(Object.values(GATEWAY_REFUSALS).map((refusal) => refusal.errorcode))).toEqual(recorded);
  });

  for (const [kind, { faultstring, errorcode }] of Object.entries(GATEWAY_REFUSALS)) {
    it(`${kind}: 401 {"fault":{"faultstring","detail":{"errorcode":"${errorcode}"}}}`, async () => {
      expect(parseFaults(`${kind}:0.5`)).toEqual([{ kind, rate: 0.5 }]);
      const sandbox = await startTestSandbox({ seed: 3, faults: `${kind}:1` });
      try {
        const read = await fetch(`${sandbox.apiUrl}/tags`, { headers: { Authorization: `Bearer ${sandbox.token}` } });
        expect(read.status).toBe(401);
        expect(read.headers.get('content-type')).toMatch(/application\/json/);
        expect(await read.json()).toEqual({ fault: { faultstring, detail: { errorcode } } });
        const write = await fetch(`${sandbox.apiUrl}/tags`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${sandbox.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: 'never made' }),
        });
        expect(write.status).toBe(401);
        await write.text();
        expect((await sandbox.stats()).faults).toEqual({ [kind]: 2 });
      } finally {
        await sandbox.stop();
      }
    });
  }
});
