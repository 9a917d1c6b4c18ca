import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/etl/errors.js';
import { JsonArraySplitter } from '../../../src/etl/import/json-array.js';

const records = [
  { email: 'a@example.com', note: 'braces } { and brackets ] [ in a string' },
  { email: 'b@example.com', note: 'escaped \\" quote and backslash \\\\', nested: { list: [1, { deep: '}' }] } },
  { email: 'c@example.com', note: 'é😀' },
];
const text = ` [\n${records.map((r) => JSON.stringify(r)).join(' ,\n\t')}\r\n] \n`;

/** Feeds `text` to a splitter in chunks of `size` characters; returns every element it gave. */
function split(input: string, size: number): unknown[] {
  const splitter = new JsonArraySplitter('people.json');
  const elements: unknown[] = [];
  for (let at = 0; at < input.length; at += size) elements.push(...splitter.push(input.slice(at, at + size)));
  splitter.end();
  return elements;
}

describe('JsonArraySplitter', () => {
  it('gives the same elements, numbered from 1, whatever the chunk boundaries', () => {
    const expected = records.map((value, i) => ({ index: i + 1, value }));
    for (const size of [1, 2, 3, 7, 64, text.length]) expect(split(text, size)).toEqual(expected);
  });

  it('names the element that is cut short, whatever the chunk boundaries', () => {
    const cut = text.slice(0, text.indexOf('b@example.com'));
    for (const size of [1, 5, cut.length]) {
      expect(() => split(cut, size)).toThrow(InputError);
      expect(() => split(cut, size)).toThrow(/^people\.json, row 2: the JSON ends in element 2/);
    }
  });
});
