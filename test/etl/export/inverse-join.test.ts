/** The inverse plan's values in the per-record shape: category object -> its name, tag-id order, none -> []. */
import { describe, expect, it } from 'vitest';
import { findResource } from '../../../src/catalog/index.js';
import { InverseValues, invertible, sortByPath } from '../../../src/etl/export/inverse-join.js';

const tags = findResource('contacts').gathered!.find((g) => g.name === 'tags')!;

describe('InverseValues', () => {
  it('builds each contact’s tags as /contacts/{id}/tags gives them, ordered by tag id', () => {
    if (!invertible(tags)) throw new Error('contact tags should be invertible');
    const values = new InverseValues(tags, tags.inverse, 'id');
    expect(values.memberPaths).toEqual(['date_applied']);
    // Groups arrive in any order; members of a later group first.
    values.addGroup({ id: 30, name: 'VIP', description: 'x', category: { id: 2, name: 'Interests', description: '' } }, 0);
    values.addGroup({ id: 4, name: 'Lead, warm' }, 1);
    values.addMembers(0, [
      [7, '2024-01-02T03:04:05.000Z'],
      [8, '2024-01-02T03:04:05.000Z'],
    ]);
    values.addMembers(1, [[7, '2023-05-06T07:08:09.000Z']]);
    expect(JSON.stringify(values.valueOf({ id: 7 }))).toBe(
      JSON.stringify([
        { date_applied: '2023-05-06T07:08:09.000Z', tag: { id: 4, name: 'Lead, warm', category: '' } },
        { date_applied: '2024-01-02T03:04:05.000Z', tag: { id: 30, name: 'VIP', category: 'Interests' } },
      ]),
    );
    expect(values.valueOf({ id: 8 })).toHaveLength(1);
    expect(values.valueOf({ id: 9 })).toEqual([]);
    expect(values.size).toBe(2);
  });

  it('finds members added after a first lookup, and records whose id is not a number', () => {
    if (!invertible(tags)) throw new Error('contact tags should be invertible');
    const values = new InverseValues(tags, tags.inverse, 'id');
    values.addGroup({ id: 1, name: 'One' }, 0);
    values.addGroup({ id: 2, name: 'Two' }, 1);
    values.addMembers(1, [
      [5, 'b'],
      ['abc', 'c'],
    ]);
    expect(values.valueOf({ id: 5 }).map((v) => (v as { tag: { id: number } }).tag.id)).toEqual([2]);
    values.addMembers(0, [
      [5, 'a'],
      ['3', 'a'],
    ]);
    expect(values.valueOf({ id: 5 }).map((v) => (v as { tag: { id: number } }).tag.id)).toEqual([1, 2]);
    expect(values.valueOf({ id: '3' })).toEqual([{ date_applied: 'a', tag: { id: 1, name: 'One', category: '' } }]);
    expect(values.valueOf({ id: 'abc' })).toEqual([{ date_applied: 'c', tag: { id: 2, name: 'Two', category: '' } }]);
    expect(values.size).toBe(3);
  });

  it('orders numbers as numbers and keeps equal keys in arrival order', () => {
    const items = [{ tag: { id: 10 } }, { tag: { id: 9 } }, { tag: { id: 100 } }, { tag: {} }, { tag: { id: 9 }, second: true }];
    expect(sortByPath(items, 'tag.id')).toEqual([items[1], items[4], items[0], items[2], items[3]]);
  });
});
