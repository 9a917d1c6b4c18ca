import { describe, expect, it } from 'vitest';
import { digestHex, HashLedger, numericIdentity } from '../../../src/etl/export/hash-ledger.js';

describe('the hash ledger', () => {
  it('compares a record with the last run the first time, with this run afterwards', () => {
    const ledger = new HashLedger();
    ledger.load('[1]', 1, 1);
    ledger.load('[2]', 2, 2);
    ledger.load('["K-9"]', 9, 9);
    expect(ledger.size).toBe(3);
    expect(ledger.see(1, 1, 1)).toBe('unchanged');
    expect(ledger.see(2, 2, 3)).toBe('changed');
    expect(ledger.see(2, 2, 3)).toBe('duplicate');
    // Changed between two reads of one run: written again.
    expect(ledger.see(2, 2, 4)).toBe('new');
    expect(ledger.see(7, 7, 7)).toBe('new');
    expect(ledger.see('["K-9"]', 9, 9)).toBe('unchanged');
    expect(ledger.seen).toBe(4);
    expect([...ledger.unseen()]).toEqual([]);
  });

  it('reports the unseen in the order loaded, and writes the last run order, then the new records', () => {
    const ledger = new HashLedger();
    for (const id of [5, 3, 9, 1]) ledger.load(`[${id}]`, 0, id);
    ledger.load('#00000000000000aa', 0, 0xaa);
    ledger.see(9, 0, 9);
    ledger.see(12, 0xffffffff, 1);
    ledger.see(5, 0, 6);
    ledger.see(9, 0, 9);
    expect([...ledger.unseen()]).toEqual(['[3]', '[1]', '#00000000000000aa']);
    expect([...ledger.current()]).toEqual([
      ['[5]', '0000000000000006'],
      ['[9]', '0000000000000009'],
      ['[12]', 'ffffffff00000001'],
    ]);
  });

  it('a string id is not the number it spells, -0 is 0, and ids beyond 32 bits are found', () => {
    const ledger = new HashLedger();
    ledger.load('[12]', 0, 1);
    ledger.load('["12"]', 0, 2);
    ledger.load('[0]', 0, 3);
    // Beyond 32 bits, and below 0: held as text, found all the same.
    ledger.load('[5000000000]', 0, 4);
    ledger.load('[-7]', 0, 5);
    expect(ledger.see('["12"]', 0, 2)).toBe('unchanged');
    expect(ledger.see(12, 0, 1)).toBe('unchanged');
    expect(ledger.see(-0, 0, 3)).toBe('unchanged');
    expect(ledger.see(5_000_000_000, 0, 4)).toBe('unchanged');
    expect(ledger.see(-7, 0, 5)).toBe('unchanged');
    expect([...ledger.current()].map(([identity]) => identity)).toEqual(['[12]', '["12"]', '[0]', '[5000000000]', '[-7]']);
  });

  it('a repeated line keeps its place and takes the later hash, as the Map it replaces did', () => {
    const ledger = new HashLedger();
    ledger.load('[1]', 0, 1);
    ledger.load('[2]', 0, 2);
    ledger.load('[1]', 0, 5);
    expect(ledger.size).toBe(2);
    expect([...ledger.unseen()]).toEqual(['[1]', '[2]']);
    expect(ledger.see(1, 0, 5)).toBe('unchanged');
  });

  it('grows past the room it was given, and finds every id again', () => {
    const ledger = new HashLedger(10);
    const ids = Array.from({ length: 50_000 }, (_, i) => (i % 2 ? i * 1_000_003 : Number.MAX_SAFE_INTEGER - i));
    for (const id of ids) ledger.load(`[${id}]`, id >>> 0, 1);
    ids.push(-4);
    ledger.load('[-4]', 1, 2);
    expect(ledger.size).toBe(ids.length);
    expect(ids.every((id) => ledger.see(id, id === -4 ? 1 : id >>> 0, id === -4 ? 2 : 1) === 'unchanged')).toBe(true);
    expect(ledger.see(123, 0, 0)).toBe('new');
  });

  it('ids in ascending order and ids out of it are found alike', () => {
    const ledger = new HashLedger();
    for (let id = 1; id <= 1000; id++) expect(ledger.see(id * 2, 0, id)).toBe('new');
    // Read again (a page overlap), a gap filled, then ids out of order.
    expect(ledger.see(1000, 0, 500)).toBe('duplicate');
    expect(ledger.see(2000, 0, 1000)).toBe('duplicate');
    expect(ledger.see(3, 0, 1)).toBe('new');
    expect(ledger.see(5000, 0, 1)).toBe('new');
    expect(ledger.see(4001, 0, 1)).toBe('new');
    expect(ledger.see(3, 0, 1)).toBe('duplicate');
    expect(ledger.see(4001, 0, 1)).toBe('duplicate');
    expect(ledger.see(5000, 0, 1)).toBe('duplicate');
    expect(ledger.see(2, 0, 1)).toBe('duplicate');
    expect(ledger.seen).toBe(1003);
    // The next run loads them in the order written.
    const next = new HashLedger(ledger.seen);
    for (const [identity, hex] of ledger.current()) next.load(identity, 0, Number.parseInt(hex, 16));
    expect(next.size).toBe(1003);
    expect(next.see(4001, 0, 1)).toBe('unchanged');
    expect(next.see(3, 0, 2)).toBe('changed');
    expect(next.see(1998, 0, 999)).toBe('unchanged');
    expect(next.see(1999, 0, 999)).toBe('new');
    expect([...next.unseen()].length).toBe(1000);
  });

  it('reads back only the integers it writes', () => {
    expect(numericIdentity('[12]')).toBe(12);
    expect(numericIdentity('[-3]')).toBe(-3);
    expect(numericIdentity('[9007199254740991]')).toBe(9007199254740991);
    expect(numericIdentity('[9007199254740993]')).toBeUndefined();
    expect(numericIdentity('[012]')).toBeUndefined();
    expect(numericIdentity('[1.5]')).toBeUndefined();
    expect(numericIdentity('["12"]')).toBeUndefined();
    expect(numericIdentity('[3,31]')).toBeUndefined();
    expect(numericIdentity('[]')).toBeUndefined();
    expect(digestHex(0xabc, 0)).toBe('00000abc00000000');
  });
});
