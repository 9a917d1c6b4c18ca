import { describe, expect, it } from 'vitest';
import { addCustomFields, customFieldModel, customToFields, withCustomFields } from '../../src/etl/custom-fields.js';
import { UsageError } from '../../src/errors.js';
import { contactsModelBody } from './fixtures.js';

describe('customFieldModel', () => {
  it('lists labels in /model order and gives duplicates a numbered name by ascending id', () => {
    const model = customFieldModel(contactsModelBody);
    expect(model.labels).toEqual(['Favourite colour', 'Shoe size', 'Favourite colour (2)', 'v1.2 notes']);
    expect(model.idToLabel.get(30)).toBe('Favourite colour (2)');
    expect(model.labelToId.get('Favourite colour')).toBe(12);
    expect(model.labelTypes.get('Shoe size')).toBe('number');
    expect(model.labelTypes.get('v1.2 notes')).toBe('string');
    expect(model.fields[0]).toMatchObject({ id: 12, label: 'Favourite colour', fieldType: 'Text', fieldName: 'FavouriteColour' });
  });

  it('gives the same names whatever order /model lists duplicates in', () => {
    const reversed = customFieldModel({ custom_fields: [...contactsModelBody.custom_fields].reverse() });
    expect(reversed.idToLabel.get(12)).toBe('Favourite colour');
    expect(reversed.idToLabel.get(30)).toBe('Favourite colour (2)');
  });

  it('does not collide with a label that already looks numbered', () => {
    const model = customFieldModel({
      custom_fields: [
        { id: 1, label: 'A' },
        { id: 2, label: 'A (2)' },
        { id: 3, label: 'A' },
      ],
    });
    expect(model.labels).toEqual(['A', 'A (2)', 'A (3)']);
  });

  it('keeps the option labels /model lists for choice fields, so import can check values against them', () => {
    const model = customFieldModel({
      custom_fields: [
        {
          id: 7,
          label: 'Favorite Color',
          field_type: 'Dropdown',
          options: [
            { id: '1', label: 'Red', options: [] },
            { id: '2', label: 'Blue' },
          ],
        },
        { id: 8, label: 'Notes', field_type: 'Text', options: [] },
      ],
    });
    expect(model.fields[0]?.options).toEqual(['Red', 'Blue']);
    expect(model.fields[1]?.options).toBeUndefined();
  });

  it('treats a body without custom_fields as none', () => {
    expect(customFieldModel({}).labels).toEqual([]);
    expect(customFieldModel(null).labels).toEqual([]);
  });
});

describe('withCustomFields', () => {
  const model = customFieldModel(contactsModelBody);

  it('adds every label, null when absent, and keeps custom_fields as returned', () => {
    const record = {
      id: 1,
      custom_fields: [
        { id: 7, content: 42 },
        { id: 30, content: 'blue' },
        { id: 999, content: 'x' },
      ],
    };
    const result = withCustomFields(record, model);
    expect(result.custom).toEqual({ 'Favourite colour': null, 'Shoe size': 42, 'Favourite colour (2)': 'blue', 'v1.2 notes': null });
    expect(result.custom_fields).toEqual(record.custom_fields);
    expect(record).not.toHaveProperty('custom');
  });

  it('works for records without custom_fields', () => {
    expect(withCustomFields({ id: 2 }, model).custom['Shoe size']).toBeNull();
  });

  it('addCustomFields adds the same labels to the record itself (the export does not copy each record)', () => {
    const record = { id: 1, custom_fields: [{ id: 7, content: 42 }] };
    const result = addCustomFields(record, model);
    expect(result).toBe(record);
    expect(record).toEqual(withCustomFields({ id: 1, custom_fields: [{ id: 7, content: 42 }] }, model));
  });
});

describe('customToFields', () => {
  const model = customFieldModel(contactsModelBody);
  it('maps labels back to ids', () => {
    expect(customToFields({ 'Shoe size': 9, 'Favourite colour (2)': 'red' }, model)).toEqual([
      { id: 7, content: 9 },
      { id: 30, content: 'red' },
    ]);
  });
  it('refuses unknown labels, naming them', () => {
    expect(() => customToFields({ Shoesize: 9 }, model)).toThrow(UsageError);
    expect(() => customToFields({ Shoesize: 9 }, model)).toThrow(/custom\.Shoesize/);
  });
});
