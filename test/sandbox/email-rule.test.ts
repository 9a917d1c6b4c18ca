/**
 * The sandbox holds every address a write gives to the rule import checks before sending (Keap
 * records none): contacts' email_addresses, a company's email_address, a user's email. Both sides
 * are run over the same samples, so the two copies of the rule cannot drift apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coerceEmail } from '../../src/etl/import/coerce.js';
import { startSandbox } from '../../src/sandbox/server.js';
import type { SandboxHandle } from '../../src/sandbox/types.js';
import { call } from './support.js';

const GOOD = ['anna@example.com', 'a.b+tag@sub.example.co.uk', 'ünï@exämple.de'];
const BAD = ['foo@', 'x@y', 'bar at example.com', 'anna@@example.com', '@example.com', 'x@example.', ' anna@example.com'];

describe('sandbox: the email address rule', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 5, counts: { contacts: 5, companies: 3, users: 2 } });
  });
  afterAll(() => sandbox?.close());

  it('import and the sandbox agree on every sample', () => {
    for (const email of GOOD) expect(coerceEmail(email).problem, email).toBeUndefined();
    for (const email of BAD.filter((e) => e.trim() === e)) expect(coerceEmail(email).problem, email).toBeDefined();
  });

  it.each([...GOOD.map((email) => [email, true] as const), ...BAD.map((email) => [email, false] as const)])(
    '%s: accepted %s on contacts, companies (create and update) and users',
    async (email, accepted) => {
      const writes = [
        await call(sandbox, 'POST', '/contacts', { email_addresses: [{ field: 'EMAIL1', email }] }),
        await call(sandbox, 'POST', '/companies', { company_name: 'Rule Co', email_address: email }),
        await call(sandbox, 'PATCH', '/companies/1', { company_name: 'Rule Co', email_address: email }),
        await call(sandbox, 'POST', '/users', { given_name: 'Rule', email }),
      ];
      for (const answer of writes) {
        if (accepted) expect(answer.status, answer.text).toBeLessThan(300);
        else expect([answer.status, answer.body]).toEqual([400, { message: `Invalid email address: ${email}` }]);
      }
    },
  );

  it('a company may still clear its address', async () => {
    const cleared = await call(sandbox, 'PATCH', '/companies/2', { company_name: 'Rule Co', email_address: '' });
    expect(cleared.status).toBe(200);
  });
});
