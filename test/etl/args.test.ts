import { describe, expect, it } from 'vitest';
import { parseDateArg, parseFieldList, parseKeyValues, parsePositiveInt } from '../../src/etl/args.js';
import { UsageError } from '../../src/errors.js';

describe('parseKeyValues', () => {
  it('splits at the first =, keeping = and empty values', () => {
    expect(parseKeyValues(['email=a@b.c', 'filter=a==b', 'empty='], '--where')).toEqual([
      ['email', 'a@b.c'],
      ['filter', 'a==b'],
      ['empty', ''],
    ]);
    expect(parseKeyValues(undefined, '--where')).toEqual([]);
  });

  it('refuses a key given twice, naming the flag, the key and both values', () => {
    expect(() => parseKeyValues(['email=a@b.c', 'given_name=Jo', 'email=x@y.z'], '--where')).toThrow(
      '--where email is given twice ("a@b.c" and "x@y.z")',
    );
    expect(() => parseKeyValues(['order_id=1', ' order_id=1'], '--param')).toThrow(UsageError);
  });

  it('refuses values without a key, naming the flag and the value', () => {
    for (const bad of ['novalue', '=x', ' =x']) {
      expect(() => parseKeyValues([bad], '--param')).toThrow(UsageError);
      expect(() => parseKeyValues([bad], '--param')).toThrow(`--param: "${bad}" is not KEY=VALUE`);
    }
  });
});

describe('parseDateArg', () => {
  it('turns dates and date-times into UTC with milliseconds', () => {
    expect(parseDateArg('2026-01-01', '--since')).toBe('2026-01-01T00:00:00.000Z');
    expect(parseDateArg('2026-01-31T12:00:00Z', '--since')).toBe('2026-01-31T12:00:00.000Z');
    expect(parseDateArg('2026-01-31T12:00', '--since')).toBe('2026-01-31T12:00:00.000Z');
    expect(parseDateArg('2026-01-31 12:00:05.5', '--since')).toBe('2026-01-31T12:00:05.500Z');
    expect(parseDateArg('2026-01-31T12:00:00+02:00', '--until')).toBe('2026-01-31T10:00:00.000Z');
    expect(parseDateArg('2026-01-01T00:30:00-0130', '--until')).toBe('2026-01-01T02:00:00.000Z');
    expect(parseDateArg('2026-03-01T00:00:00.123456Z', '--until')).toBe('2026-03-01T00:00:00.123Z');
  });

  it('refuses garbage and impossible dates with the documented message', () => {
    expect(() => parseDateArg('yesterdayish', '--since')).toThrow(
      '--since: "yesterdayish" is not a date; use 2026-01-31 or 2026-01-31T12:00:00Z',
    );
    for (const bad of ['2026-02-30', '2026-13-01', '2026-01-01T24:00', '1700000000', '01/02/2026', '']) {
      expect(() => parseDateArg(bad, '--until')).toThrow(/^--until: /);
    }
  });
});

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
    const { parseFieldList: list } = await import('../../src/etl/args.js');
    expect(list('id,"custom.Notes, misc",given_name', '--fields')).toEqual(['id', 'custom.Notes, misc', 'given_name']);
    expect(list(' id , email_addresses.EMAIL1.email ', '--fields')).toEqual(['id', 'email_addresses.EMAIL1.email']);
    expect(() => list('id,"unclosed', '--fields')).toThrow(/--fields/);
  });
});
