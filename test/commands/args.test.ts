import { describe, expect, it } from 'vitest';
import { parseFieldList, parsePositiveInt } from '../../src/commands/args.js';

describe('parseFieldList', () => {
  it('splits, trims and drops duplicates, keeping the order', () => {
    expect(parseFieldList(' id, email_addresses.EMAIL1.email ,custom.Shoe size,id', '--fields')).toEqual([
      'id',
      'email_addresses.EMAIL1.email',
      'custom.Shoe size',
    ]);
    expect(parseFieldList(['tags', 'notes,tags'], '--include')).toEqual(['tags', 'notes']);
  });

  it('refuses an empty list, naming the flag', () => {
    expect(() => parseFieldList(' , ', '--include')).toThrow(/^--include: /);
  });
});

describe('parsePositiveInt', () => {
  it('accepts whole numbers from 1', () => {
    expect(parsePositiveInt('1000', '--page-size')).toBe(1000);
  });
  it('refuses anything else, naming the flag', () => {
    for (const bad of ['0', '-1', '1.5', 'ten', '', '1e3', '99999999999999999999']) {
      expect(() => parsePositiveInt(bad, '--max')).toThrow(`--max: "${bad}" is not a positive whole number`);
    }
  });
});

describe('parseFieldList with commas inside names', () => {
  it('reads the list as one CSV row, so quoted names keep their commas', async () => {
    const { parseFieldList: list } = await import('../../src/commands/args.js');
    expect(list('id,"custom.Notes, misc",given_name', '--fields')).toEqual(['id', 'custom.Notes, misc', 'given_name']);
    expect(list(' id , email_addresses.EMAIL1.email ', '--fields')).toEqual(['id', 'email_addresses.EMAIL1.email']);
    expect(() => list('id,"unclosed', '--fields')).toThrow(/--fields/);
  });
});
