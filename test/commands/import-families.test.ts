/**
 * Every write action of every resource family, as a user runs it: a CSV of new records imported
 * as creates; its results file turned into updates (the id column makes it an update); the
 * results file fed back with `--action delete --only-created` to undo the creates. Each step is
 * checked in the sandbox, not only by the exit code.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionsOfKind, catalog, findResource } from '../../src/catalog/index.js';
import { runCli, sandboxGet, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';

type Row = Record<string, string>;

let sandbox: TestSandbox;
/** Ids the sandbox really has, for parent keys and references. */
const known: Record<string, number> = {};

beforeAll(async () => {
  sandbox = await startTestSandbox({ counts: { contacts: 30, orders: 5, products: 5, campaigns: 2 } });
  const first = async (path: string, key: string) =>
    ((await sandboxGet(sandbox, path)) as Record<string, Array<Record<string, unknown>>>)[key]?.[0] as Record<string, unknown>;
  known.contact = (await first('/contacts?limit=1', 'contacts')).id as number;
  known.product = (await first('/products?limit=1', 'products')).id as number;
  known.order = (await first('/orders?limit=1', 'orders')).id as number;
  known.user = (await first('/users?limit=1', 'users')).id as number;
  const campaign = (await sandboxGet(
    sandbox,
    `/campaigns/${(await first('/campaigns?limit=1', 'campaigns')).id}?optional_properties=sequences`,
  )) as {
    id: number;
    sequences: Array<{ id: number }>;
  };
  known.campaign = campaign.id;
  known.sequence = campaign.sequences[0]!.id;
  const stages = (await sandboxGet(sandbox, '/opportunity/stage_pipeline')) as Array<{ stage_id?: number; id?: number }>;
  known.stage = (stages[0]?.stage_id ?? stages[0]?.id) as number;
  for (const product of ((await sandboxGet(sandbox, '/products?limit=50')) as { products: Array<{ id: number }> }).products) {
    const full = (await sandboxGet(sandbox, `/products/${product.id}`)) as { subscription_plans?: Array<{ id: number }> };
    if (full.subscription_plans?.length) {
      known.plan = full.subscription_plans[0]!.id;
      break;
    }
  }
  known.category = ((await first('/tags?limit=1', 'tags')).category as { id: number }).id;
});
afterAll(async () => {
  await sandbox?.stop();
});

interface Family {
  /** New records (the values of known ids are filled in when the test runs). */
  create: () => Row[];
  /** A change for the update step: a column and its new value. */
  update?: { column: string; value: string };
  /** Where a created record is read back, when the resource has a single read. */
  readBack?: (id: string) => string;
  /** More to check about the created record. */
  verify?: (id: string) => Promise<void>;
}

const FAMILIES: Record<string, Family> = {
  affiliates: {
    create: () => [{ code: 'AFF-IMPORT-1', contact_id: String(known.contact), password: 'S3cret!pass', name: 'Imported affiliate' }],
  },
  appointments: {
    create: () => [
      {
        title: 'Imported call',
        start_date: '2026-12-01T10:00:00.000Z',
        end_date: '2026-12-01T10:30:00.000Z',
        contact_id: String(known.contact),
      },
    ],
    update: { column: 'title', value: 'Renamed call' },
    readBack: (id) => `/appointments/${id}`,
  },
  campaigns: { create: () => [{ id: String(known.campaign), sequence_id: String(known.sequence), contact_id: String(known.contact) }] },
  companies: {
    create: () => [{ company_name: 'Imported & Sons, "Ltd"', website: 'https://example.org' }],
    update: { column: 'website', value: 'https://example.com/new' },
    readBack: (id) => `/companies/${id}`,
  },
  contacts: {
    create: () => [{ 'email_addresses.EMAIL1.email': 'family-contact@example.org', given_name: 'Family' }],
    update: { column: 'given_name', value: 'Renamed' },
    readBack: (id) => `/contacts/${id}`,
  },
  orders: {
    create: () => [
      {
        contact_id: String(known.contact),
        order_title: 'Imported order',
        order_type: 'Offline',
        order_date: '2026-11-01T10:00:00.000Z',
        order_items: JSON.stringify([{ product_id: known.product, quantity: 2 }]),
      },
    ],
    readBack: (id) => `/orders/${id}`,
  },
  'order-items': {
    create: () => [{ order_id: String(known.order), product_id: String(known.product), quantity: '3', description: 'Imported line' }],
  },
  'order-payments': {
    create: () => [{ order_id: String(known.order), payment_amount: '5.00', payment_method_type: 'CASH', notes: 'Paid at the fair' }],
  },
  subscriptions: {
    create: () => [{ contact_id: String(known.contact), subscription_plan_id: String(known.plan), quantity: '1' }],
    // Keap's auto_charge defaults to true, which would charge the card: an import always sends false.
    verify: async (id) => {
      const list = (await sandboxGet(sandbox, '/subscriptions?limit=1000')) as {
        subscriptions: Array<{ id: number; auto_charge: boolean }>;
      };
      expect(list.subscriptions.find((subscription) => subscription.id === Number(id))?.auto_charge).toBe(false);
    },
  },
  emails: {
    create: () => [{ sent_to_address: 'someone@example.org', subject: 'Imported email', contact_id: String(known.contact) }],
    readBack: (id) => `/emails/${id}`,
  },
  files: {
    create: () => [
      {
        file_name: 'note.txt',
        file_data: Buffer.from('hello').toString('base64'),
        file_association: 'CONTACT',
        contact_id: String(known.contact),
        is_public: 'false',
      },
    ],
  },
  notes: {
    create: () => [{ contact_id: String(known.contact), title: 'Imported note', body: 'Body, with "quotes"' }],
    update: { column: 'title', value: 'Renamed note' },
    readBack: (id) => `/notes/${id}`,
  },
  opportunities: {
    create: () => [{ 'contact.id': String(known.contact), opportunity_title: 'Imported deal', 'stage.id': String(known.stage) }],
    update: { column: 'opportunity_title', value: 'Renamed deal' },
    readBack: (id) => `/opportunities/${id}`,
  },
  products: {
    create: () => [{ product_name: 'Imported widget', sku: 'IMP-1', product_price: '12.5' }],
    update: { column: 'product_name', value: 'Renamed widget' },
    readBack: (id) => `/products/${id}`,
  },
  'product-subscriptions': {
    create: () => [{ product_id: String(known.product), cycle_type: 'MONTH', plan_price: '9.99', frequency: '1' }],
  },
  hooks: {
    create: () => [{ eventKey: 'contact.add', hookUrl: 'https://example.org/hook' }],
    update: { column: 'hookUrl', value: 'https://example.org/other-hook' },
  },
  tags: { create: () => [{ name: 'Imported tag', description: 'from a file', 'category.id': String(known.category) }] },
  tasks: {
    create: () => [{ title: 'Imported task', due_date: '2026-12-24T09:00:00.000Z', 'contact.id': String(known.contact) }],
    update: { column: 'title', value: 'Renamed task' },
    readBack: (id) => `/tasks/${id}`,
  },
  users: { create: () => [{ email: 'imported-user@example.org', given_name: 'Imported' }] },
};

function writeCsv(path: string, rows: Row[]): void {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  writeFileSync(path, stringify(rows, { header: true, columns }));
}

function readCsv(path: string): Row[] {
  return parse(readFileSync(path, 'utf8'), { columns: true }) as Row[];
}

describe('import: every resource family', () => {
  it('covers every resource that can be created', () => {
    const creatable = catalog.filter((resource) => actionsOfKind(resource, 'create').length).map((resource) => resource.name);
    expect(Object.keys(FAMILIES).sort()).toEqual(creatable.sort());
  });

  for (const [name, family] of Object.entries(FAMILIES)) {
    const resource = findResource(name);
    const canUpdate = actionsOfKind(resource, 'update').length > 0;
    const canDelete = actionsOfKind(resource, 'delete').length > 0;
    const steps = ['create', canUpdate && family.update ? 'update' : '', canDelete ? 'delete' : ''].filter(Boolean).join(', ');
    it(`${name}: ${steps}`, async () => {
      const dir = tempDir();
      const file = join(dir, `${name}.csv`);
      writeCsv(file, family.create());
      const created = await runCli(['import', name, file, '--action', 'create', '--json'], { env: sandbox.env });
      expect(created.code, created.stderr).toBe(0);
      expect(JSON.parse(created.stdout).counts).toMatchObject({ created: 1, failed: 0, invalid: 0 });
      const results = readCsv(join(dir, `${name}.results.csv`));
      expect(results[0]!._action).toBe('created');
      const id = results[0]!._id!;
      if (family.readBack && id) expect(await sandboxGet(sandbox, family.readBack(id))).toMatchObject({ id: Number(id) });
      await family.verify?.(id);

      if (canUpdate && family.update) {
        const update = join(dir, 'update.csv');
        const keyColumn = resource.keyFields[0]!;
        writeCsv(update, [{ [keyColumn]: id, [family.update.column]: family.update.value }]);
        const updated = await runCli(['import', name, update, '--json'], { env: sandbox.env });
        expect(updated.code, updated.stderr).toBe(0);
        expect(JSON.parse(updated.stdout)).toMatchObject({ action: 'update', counts: { updated: 1 } });
        if (family.readBack)
          expect(await sandboxGet(sandbox, family.readBack(id))).toMatchObject({ [family.update.column]: family.update.value });
      }

      if (canDelete) {
        const deleted = await runCli(['import', name, join(dir, `${name}.results.csv`), '--action', 'delete', '--only-created', '--json'], {
          env: sandbox.env,
        });
        expect(deleted.code, deleted.stderr).toBe(0);
        expect(JSON.parse(deleted.stdout).counts).toMatchObject({ deleted: 1 });
        if (family.readBack) await expect(sandboxGet(sandbox, family.readBack(id))).rejects.toThrow(/404/);
      }
    });
  }

  it('files: a PUT update keeps what the row leaves out, and asks for what Keap does not show', async () => {
    const dir = tempDir();
    const file = join(dir, 'files.csv');
    writeCsv(file, FAMILIES.files!.create());
    expect((await runCli(['import', 'files', file, '--action', 'create'], { env: sandbox.env })).code).toBe(0);
    const id = readCsv(join(dir, 'files.results.csv'))[0]!._id!;
    const rename = join(dir, 'rename.csv');
    writeCsv(rename, [{ id, file_name: 'renamed.txt' }]);
    const refused = await runCli(['import', 'files', rename], { env: sandbox.env });
    expect(refused.code).toBe(3);
    const error = readCsv(join(dir, 'rename.errors.csv'))[0]!;
    expect(error).toMatchObject({ _status: 'invalid', _field: 'file_association' });
    expect(error._error).toMatch(/Keap's record does not show/);
    writeCsv(rename, [
      { id, file_name: 'renamed.txt', file_association: 'CONTACT', is_public: 'false', contact_id: String(known.contact) },
    ]);
    const renamed = await runCli(['import', 'files', rename], { env: sandbox.env });
    expect(renamed.code, renamed.stderr).toBe(0);
    const read = (await sandboxGet(sandbox, `/files/${id}?optional_properties=file_data`)) as {
      file_descriptor: { file_name: string };
      file_data: string;
    };
    expect(read.file_descriptor.file_name).toBe('renamed.txt');
    // file_data was not in the row: the record's content was kept.
    expect(Buffer.from(read.file_data, 'base64').toString()).toBe('hello');
  });

  it('account-profile: the one record is updated without a key (--action update)', async () => {
    const dir = tempDir();
    const file = join(dir, 'profile.csv');
    writeCsv(file, [{ name: 'Imported Account Name', website: 'https://example.org' }]);
    const result = await runCli(['import', 'account-profile', file, '--action', 'update'], { env: sandbox.env });
    expect(result.code, result.stderr).toBe(0);
    expect(await sandboxGet(sandbox, '/account/profile')).toMatchObject({ name: 'Imported Account Name' });
  });
});
