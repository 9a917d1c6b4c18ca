/**
 * A round trip as a user makes one, for every resource whose records can be updated (issue 13,
 * item 2): export to CSV, edit one cell of one row, import the file, export again. Exactly that
 * cell differs, apart from the times Keap stamps on a write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionsOfKind, catalog } from '../../src/catalog/index.js';
import { runCli, sandboxSend, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';

type Row = Record<string, string>;

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({
    counts: { contacts: 8, companies: 4, notes: 4, opportunities: 4, products: 4, tasks: 4, appointments: 4 },
  });
  // Hooks are not generated: one to edit.
  await sandboxSend(sandbox, 'POST', '/hooks', { eventKey: 'contact.add', hookUrl: 'https://example.org/hook' });
});
afterAll(async () => {
  await sandbox?.stop();
});

/** The cell each resource's round trip edits, and the columns Keap stamps on every write. */
const EDITS: Record<string, { column: string; value: string; stamped?: string[]; args?: string[]; importArgs?: string[]; added?: Row }> = {
  // One record, not addressed by an id: the action cannot be told from the columns.
  'account-profile': { column: 'website', value: 'https://example.org/edited', importArgs: ['--action', 'update'] },
  appointments: { column: 'title', value: 'Edited, "quoted" title' },
  companies: { column: 'notes', value: 'Edited notes, with a comma' },
  contacts: { column: 'job_title', value: 'Édité' },
  // Keap requires file_association and is_public on update but shows neither on read: the user adds them.
  files: {
    column: 'file_name',
    value: 'edited.txt',
    args: ['--include', 'file_data'],
    importArgs: ['--map', 'public=is_public'],
    added: { file_association: 'CONTACT' },
    // The sandbox files a file by the association written (as Keap's file box does): not the edit's doing.
    stamped: ['file_box_type', 'category'],
  },
  notes: { column: 'title', value: 'Edited note' },
  opportunities: { column: 'opportunity_title', value: 'Edited deal' },
  products: { column: 'product_name', value: 'Edited widget' },
  hooks: { column: 'hookUrl', value: 'https://example.org/edited-hook' },
  tasks: { column: 'title', value: 'Edited task' },
};

const STAMPS = ['last_updated', 'modification_date', 'last_updated_utc_millis', 'updated_date'];

function readCsv(path: string): Row[] {
  return parse(readFileSync(path, 'utf8'), { columns: true, bom: true }) as Row[];
}

const updatable = catalog.filter((resource) => actionsOfKind(resource, 'update').length > 0).map((resource) => resource.name);

describe('a round trip changes exactly the cell edited', () => {
  it('covers every resource that can be updated', () => {
    expect(Object.keys(EDITS).sort()).toEqual([...updatable].sort());
  });

  for (const [name, edit] of Object.entries(EDITS)) {
    it(`${name}: export, edit ${edit.column}, import, export again`, async () => {
      const dir = tempDir();
      const first = join(dir, `${name}.csv`);
      const exported = await runCli(['export', name, '--max', '3', '-o', first, ...(edit.args ?? [])], { env: sandbox.env });
      expect(exported.code, exported.stderr).toBe(0);
      const rows = readCsv(first);
      expect(rows.length).toBeGreaterThan(0);
      const columns = Object.keys(rows[0]!);
      expect(columns).toContain(edit.column);
      rows[0]![edit.column] = edit.value;
      const added = rows.map((row) => ({ ...row, ...edit.added }));
      writeFileSync(first, stringify(added, { header: true, columns: [...columns, ...Object.keys(edit.added ?? {})] }));

      const imported = await runCli(['import', name, first, ...(edit.importArgs ?? [])], { env: sandbox.env });
      expect(imported.code, imported.stderr).toBe(0);

      const second = join(dir, 'again.csv');
      const again = await runCli(['export', name, '--max', '3', '-o', second, ...(edit.args ?? [])], { env: sandbox.env });
      expect(again.code, again.stderr).toBe(0);
      const stamped = new Set([...STAMPS, ...(edit.stamped ?? [])]);
      const strip = (list: Row[]) => list.map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => !stamped.has(key))));
      expect(strip(readCsv(second))).toEqual(strip(rows));
    });
  }
});
