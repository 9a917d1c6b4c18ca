/**
 * The foundation as a user meets it: `resources`, `describe`, `api`, and what bad input does.
 * In-process (runCli) against the sandbox on loopback; the spawned binary's own checks are in
 * test/e2e/foundation.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sandboxGet, startTestSandbox, type TestSandbox } from '../support/cli.js';

const SEED_RESOURCES = [
  'account-profile',
  'affiliates',
  'affiliate-commissions',
  'affiliate-programs',
  'affiliate-redirect-links',
  'appointments',
  'campaigns',
  'companies',
  'contacts',
  'orders',
  'order-items',
  'order-payments',
  'subscriptions',
  'transactions',
  'emails',
  'files',
  'countries',
  'merchants',
  'notes',
  'opportunities',
  'opportunity-stage-pipelines',
  'products',
  'product-subscriptions',
  'hooks',
  'application-settings',
  'tags',
  'tasks',
  'users',
];

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox?.stop();
});

describe('resources', () => {
  it('lists all 28 seed resources with their actions, methods and paths', async () => {
    const result = await runCli(['--sandbox', 'resources', '--json']);
    expect(result.code).toBe(0);
    const { resources } = JSON.parse(result.stdout) as {
      resources: Array<{ name: string; actions: Array<{ id: string; method: string; path: string }> }>;
    };
    expect(resources.map((r) => r.name).sort()).toEqual([...SEED_RESOURCES].sort());
    for (const resource of resources) {
      expect(resource.actions.length, resource.name).toBeGreaterThan(0);
      for (const action of resource.actions) {
        expect(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).toContain(action.method);
        expect(action.path).toMatch(/^\//);
      }
    }
    const contacts = resources.find((r) => r.name === 'contacts');
    expect(contacts?.actions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ method: 'GET', path: '/contacts' }),
        expect.objectContaining({ method: 'POST', path: '/contacts' }),
        expect.objectContaining({ method: 'PUT', path: '/contacts' }),
        expect.objectContaining({ method: 'DELETE' }),
      ]),
    );
  });

  it('prints a readable table without --json', async () => {
    const result = await runCli(['resources']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^RESOURCE\s+ACTION\s+METHOD\s+PATH/);
    expect(result.stdout).toMatch(/order-items\s+read\s+GET\s+\/orders\/\{order_id\}/);
  });
});

describe('describe', () => {
  it('shows fields offline, and live custom fields with --sandbox', async () => {
    const offline = await runCli(['describe', 'contact']);
    expect(offline.code).toBe(0);
    expect(offline.stdout).toContain('email_addresses');
    expect(offline.stdout).toMatch(/custom\.<label>/);

    const live = await runCli(['--sandbox', 'describe', 'contacts', '--json']);
    expect(live.code).toBe(0);
    const description = JSON.parse(live.stdout) as { customFields: { live: Array<{ column: string }> } };
    const model = (await sandboxGet(sandbox, '/contacts/model')) as { custom_fields: Array<{ label: string }> };
    expect(description.customFields.live.map((f) => f.column)).toEqual(model.custom_fields.map((f) => `custom.${f.label}`));
  });

  it('shows what each write sends: path fields, typed body, required names and prose rules', async () => {
    const json = await runCli(['describe', 'order-items', '--json']);
    expect(json.code).toBe(0);
    const writes = (JSON.parse(json.stdout) as { writes: Array<Record<string, unknown>> }).writes;
    expect(writes.map((w) => [w['action'], w['pathFields']])).toEqual([
      ['create', ['order_id']],
      ['delete', ['order_id', 'id']],
    ]);
    expect(writes[0]).toMatchObject({
      required: ['product_id', 'quantity'],
      properties: expect.arrayContaining([
        { name: 'price', type: 'string' },
        { name: 'quantity', type: 'integer' },
      ]),
    });

    const text = await runCli(['describe', 'contacts']);
    expect(text.code).toBe(0);
    const upsert = text.stdout.slice(text.stdout.indexOf('upsert: PUT /contacts'));
    expect(upsert).toMatch(/also required: at least one of email_addresses, phone_numbers \(said in the spec's prose/);
    expect(upsert).toMatch(/email_addresses\[\]\.field\s+string\s+required\s+EMAIL1, EMAIL2, EMAIL3/);
    expect(upsert).toMatch(/options of the call, not record data: duplicate_option/);

    const payments = await runCli(['describe', 'order-payments']);
    expect(payments.stdout).toMatch(/never sent true \(would charge a card\): charge_now/);
  });
});

describe('api', () => {
  it('GET /contacts --paginate returns every sandbox contact exactly once', async () => {
    const result = await runCli(['api', 'GET', '/contacts', '--paginate'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    const body = JSON.parse(result.stdout) as { contacts: Array<{ id: number }>; count: number };
    const total = ((await sandboxGet(sandbox, '/contacts?limit=1')) as { count: number }).count;
    const ids = body.contacts.map((c) => c.id);
    expect(ids.length).toBe(total);
    expect(new Set(ids).size).toBe(total);
    expect(body.count).toBe(total);
  });

  it('pages with small pages too (limit in the path) and the embedded sandbox', async () => {
    const result = await runCli(['--sandbox', 'api', 'GET', '/contacts?limit=7', '--paginate']);
    expect(result.code, result.stderr).toBe(0);
    const body = JSON.parse(result.stdout) as { contacts: Array<{ id: number }> };
    expect(new Set(body.contacts.map((c) => c.id)).size).toBe(body.contacts.length);
    expect(body.contacts.length).toBeGreaterThan(7);
  });

  it('sends --data as the JSON body and prints the response', async () => {
    const created = await runCli(
      [
        'api',
        'POST',
        '/contacts',
        '--data',
        JSON.stringify({ given_name: 'Zoë', email_addresses: [{ email: 'zoe@example.com', field: 'EMAIL1' }] }),
      ],
      { env: sandbox.env },
    );
    expect(created.code, created.stderr).toBe(0);
    const contact = JSON.parse(created.stdout) as { id: number; given_name: string };
    expect(contact.given_name).toBe('Zoë');
    const read = (await sandboxGet(sandbox, `/contacts/${contact.id}`)) as { given_name: string };
    expect(read.given_name).toBe('Zoë');
  });
});

describe('bad input', () => {
  const oneLine = (stderr: string) => stderr.trim().split('\n')[0] ?? '';

  it('unknown resource: exit 2, one clear line with a suggestion', async () => {
    const result = await runCli(['describe', 'contactz']);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toMatch(/unknown resource "contactz"/);
    expect(result.stderr).toMatch(/contacts/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('malformed --data: exit 2 naming the flag, nothing sent', async () => {
    const before = await sandbox.stats();
    const result = await runCli(['api', 'POST', '/contacts', '--data', '{"given_name": '], { env: sandbox.env });
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toMatch(/--data is not valid JSON/);
    const after = await sandbox.stats();
    expect(after.requests['POST /contacts'] ?? 0).toBe(before.requests['POST /contacts'] ?? 0);
  });

  it('missing --data file: exit 2 naming it', async () => {
    const result = await runCli(['api', 'POST', '/contacts', '--data', '@/nonexistent/body.json'], { env: sandbox.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\/nonexistent\/body\.json/);
  });

  it('unreachable --api-url: exit 1 saying which URL', async () => {
    const result = await runCli(['--api-url', 'http://127.0.0.1:9/crm/rest/v1', 'api', 'GET', '/contacts'], {
      env: { INFUSIONSOFT_API_KEY: 'anything' },
    });
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toMatch(/127\.0\.0\.1:9/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('an --api-url that is not a URL: exit 2', async () => {
    const result = await runCli(['--api-url', 'not a url', 'api', 'GET', '/contacts'], { env: { INFUSIONSOFT_API_KEY: 'x' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--api-url/);
  });

  it("a refused token: exit 4 with Keap's message; a stack only with --verbose", async () => {
    const env = { INFUSIONSOFT_API_URL: sandbox.apiUrl, INFUSIONSOFT_ACCESS_TOKEN: 'expired-or-wrong' };
    const result = await runCli(['api', 'GET', '/contacts'], { env });
    expect(result.code).toBe(4);
    expect(oneLine(result.stderr)).toMatch(/Invalid Access Token/);
    expect(result.stderr).toContain(
      'the access token from INFUSIONSOFT_ACCESS_TOKEN may have expired: set a valid INFUSIONSOFT_ACCESS_TOKEN or INFUSIONSOFT_API_KEY',
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const paged = await runCli(['api', 'GET', '/contacts', '--paginate'], { env });
    expect(paged.code).toBe(4);
    expect(paged.stdout).toBe('');
    const verbose = await runCli(['--verbose', 'api', 'GET', '/contacts'], { env });
    expect(verbose.code).toBe(4);
    expect(verbose.stderr).toMatch(/\n\s+at /);
    expect(verbose.stderr).not.toContain('expired-or-wrong');
  });

  it('a refused API key: exit 4 saying where the key came from and where to check it', async () => {
    const env = { INFUSIONSOFT_API_URL: sandbox.apiUrl, INFUSIONSOFT_API_KEY: 'KeapAK-wrong' };
    const result = await runCli(['api', 'GET', '/contacts'], { env });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('Keap refused the credential from INFUSIONSOFT_API_KEY: 401');
    expect(result.stderr).toContain('check the key from INFUSIONSOFT_API_KEY (Keap app: Settings > API Settings)');
    expect(result.stderr).not.toContain('KeapAK-wrong');
  });
});
