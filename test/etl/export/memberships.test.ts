import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changedMemberships, readMembershipFile, writeMembershipFile } from '../../../src/etl/export/memberships.js';
import { tempDir } from '../../support/files.js';

describe('changedMemberships', () => {
  it('finds records that gained, lost or changed memberships, and not the others', () => {
    const previous = new Map([
      ['1', 10],
      ['2', 20],
      ['3', 30],
    ]);
    const current = new Map([
      ['1', 10],
      ['2', 21],
      ['4', 40],
    ]);
    expect([...changedMemberships(previous, current)].sort()).toEqual(['2', '3', '4']);
  });
});

describe('the memberships file', () => {
  it('reads back what was written, and refuses one cut short at a line boundary or of another job', async () => {
    const file = join(tempDir(), 'm.tsv');
    const digests = new Map([
      ['7', 0xabc],
      ['8', 2 ** 52 - 1],
    ]);
    await writeMembershipFile(file, 'contacts --include tags', digests);
    expect(await readMembershipFile(file, 'contacts --include tags')).toEqual(digests);
    await expect(readMembershipFile(file, 'contacts')).rejects.toThrow(/not the memberships of "contacts"/);
    const lines = readFileSync(file, 'utf8').split('\n');
    writeFileSync(file, `${lines.slice(0, 2).join('\n')}\n`);
    await expect(readMembershipFile(file, 'contacts --include tags')).rejects.toThrow(/holds 1 records where it saved 2: it was cut short/);
    expect(await readMembershipFile(join(tempDir(), 'absent.tsv'), 'x')).toBeUndefined();
  });
});
