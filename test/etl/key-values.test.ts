import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseKeyValues } from '../../src/etl/key-values.js';

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
